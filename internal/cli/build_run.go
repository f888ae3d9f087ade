package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
	"github.com/berth-dev/berth/internal/sbom"
	"github.com/berth-dev/berth/internal/stamp"
	"github.com/berth-dev/berth/internal/timing"
)

// buildPlan is everything runBuild decided before doing any work.
type buildPlan struct {
	project  *cargo.Project // nil when packaging a --binary outside any project
	manifest string         // the Cargo.toml cargo starts from
	sel      cargo.Selection
	cfg      config.Resolved
	supply   supply
	tags     []name.Tag
	epoch    time.Time
	// zig links with zig; target is --target's triple and glibc the
	// version its spelling named (aarch64-unknown-linux-gnu.2.17).
	zig           bool
	target, glibc string
}

func runBuild(ctx context.Context, s *streams, o *buildOptions, changed map[string]bool) error {
	if err := o.supply.check(); err != nil {
		return err
	}
	runner := &cargo.Runner{Stderr: s.Err}
	done := timing.Start(ctx, "project, settings and targets")
	plan, err := o.plan(ctx, runner, changed)
	if err != nil {
		return err
	}
	targets, platforms, err := o.targets(ctx, runner, plan, changed)
	if err != nil {
		return err
	}
	done()
	// Checked before cargo runs: a typo must not cost a build.
	comp, err := compression(plan.cfg)
	if err != nil {
		return err
	}
	if err := o.checkOutputs(plan, platforms); err != nil {
		return err
	}
	results, err := pipeline.Images(ctx, o.compiled(runner, plan, s.Err), targets, pipeline.Options{
		Binary:       o.binary,
		Name:         plan.sel.Bin,
		Base:         *plan.cfg.Base,
		Includes:     plan.cfg.Include,
		Root:         o.sysroot,
		LibraryPaths: o.libraryPaths,
		Epoch:        plan.epoch,
		Env:          sortedPairs(plan.cfg.Env),
		Labels:       plan.labels(ctx),
		Expose:       plan.cfg.Expose,
		User:         *plan.cfg.User,
		Cache:        layerCache(),
		Stamps:       fileStamps(),
		DigestBinary: plan.supply.format != sbom.None,
		Progress:     s.Err,
		RuntimeFrom:  o.runtimeFrom,
		RuntimeCache: runtimeCache(),
		Compression:  comp,
	})
	if err != nil {
		return err
	}
	for _, res := range results {
		for _, w := range res.Warnings {
			fmt.Fprintf(s.Err, "warning: %s\n", w)
		}
		fmt.Fprintln(s.Err, summary(res))
	}
	if len(platforms) > 1 {
		return o.publishMany(ctx, s, plan, platforms, results)
	}
	return o.publishOne(ctx, s, plan, results[0])
}

// checkOutputs makes the outputs once, quietly, to check every one before
// any work; they are made again to publish, with the SBOMs to attach.
func (o *buildOptions) checkOutputs(plan *buildPlan, platforms []v1.Platform) error {
	quiet := &streams{Out: io.Discard, Err: io.Discard}
	var sinks any
	var err error
	if len(platforms) > 1 {
		sinks, err = o.indexPublishers(plan, quiet, platforms)
	} else {
		sinks, err = o.publishers(plan, quiet)
	}
	if err != nil {
		return err
	}
	if c, ok := sinks.(publish.Checker); ok {
		return c.Check()
	}
	return nil
}

// publishMany sends the index of several platforms' images, each image's
// SBOM attached to it, to the sinks.
func (o *buildOptions) publishMany(ctx context.Context, s *streams, plan *buildPlan, platforms []v1.Platform, results []*pipeline.Result) error {
	done := timing.Start(ctx, "sbom")
	atts, err := plan.supply.documents(results, plan.epoch)
	done()
	if err != nil {
		return err
	}
	sinks, err := o.indexPublishers(plan, s, platforms, publish.WithAttachments(atts...))
	if err != nil {
		return err
	}
	lines, err := publishIndex(ctx, s, sinks, plan, results)
	if err != nil {
		printLines(s, lines)
		return err
	}
	return o.reportIndex(s, results, lines, atts)
}

// publishOne sends one image, with its SBOM attached, to the sinks.
func (o *buildOptions) publishOne(ctx context.Context, s *streams, plan *buildPlan, res *pipeline.Result) error {
	done := timing.Start(ctx, "sbom")
	att, err := plan.supply.document(res.Contents, res.Crates, plan.epoch, plan.supply.out)
	done()
	if err != nil {
		return err
	}
	var extra []publish.Option
	if att != nil {
		extra = append(extra, publish.WithAttachments(*att))
	}
	sinks, err := o.publishers(plan, s, extra...)
	if err != nil {
		return err
	}
	lines, err := sinks.Publish(ctx, res.Image, plan.tags)
	if err != nil {
		// What was published before a failure is printed too: a tag pushed
		// before a later one failed is in the registry, under that digest.
		printLines(s, lines)
		return err
	}
	return o.report(s, res, lines, att)
}

func printLines(s *streams, lines []string) {
	for _, l := range lines {
		fmt.Fprintln(s.Out, l)
	}
}

// plan reads the project and the configuration, picks the binary and checks
// every input, so that nothing is built when something is wrong.
func (o *buildOptions) plan(ctx context.Context, runner *cargo.Runner, changed map[string]bool) (*buildPlan, error) {
	if o.binary != "" {
		for _, f := range []string{"features", "no-default-features", "all-features", "target", "static", "profile", "locked", "frozen", "offline", "zig"} {
			if changed[f] {
				return nil, usagef("--%s has no effect with --binary, which skips cargo", f)
			}
		}
	}
	if o.sysroot != "" {
		if info, err := os.Stat(o.sysroot); err != nil || !info.IsDir() {
			return nil, usagef("--sysroot %s is not a directory: give the root the target's libraries live under", o.sysroot)
		}
	}
	flags, err := o.flagLayer(changed)
	if err != nil {
		return nil, err
	}
	p := &buildPlan{}
	if p.project, p.manifest, err = loadProject(ctx, runner, o.manifestPath, o.binary != ""); err != nil {
		return nil, err
	}
	if p.sel, p.cfg, err = settings(p.project, flags, func(bin string) (cargo.Selection, error) {
		return o.selectBinary(p, bin)
	}); err != nil {
		return nil, err
	}
	if err := checkIncludes(p.cfg, p.sel.Bin); err != nil {
		return nil, err
	}
	if err := p.resolveZig(ctx, o.target, o.binary != ""); err != nil {
		return nil, err
	}
	if p.supply, err = o.supply.resolve(p.cfg); err != nil {
		return nil, err
	}
	if p.tags, err = parseTags(p.cfg, p.sel.Bin); err != nil {
		return nil, err
	}
	if p.epoch, err = sourceDateEpoch(); err != nil {
		return nil, err
	}
	return p, nil
}

func (o *buildOptions) selectBinary(p *buildPlan, bin string) (cargo.Selection, error) {
	if o.binary != "" {
		if _, err := os.Stat(o.binary); err != nil {
			return cargo.Selection{}, usagef("--binary %s: %v", o.binary, errors.Unwrap(err))
		}
		sel := cargo.Selection{Bin: filepath.Base(o.binary)}
		if p.project != nil {
			if found, err := p.project.SelectBinaryFrom(p.manifest, o.pkg, sel.Bin); err == nil {
				sel.Package = found.Package
			}
		}
		return sel, nil
	}
	return p.project.SelectBinaryFrom(p.manifest, o.pkg, bin)
}

// compiled maps the cargo flags to what pipeline.Images runs cargo with.
func (o *buildOptions) compiled(runner *cargo.Runner, p *buildPlan, log io.Writer) pipeline.Compiled {
	c := pipeline.Compiled{Runner: runner, Log: log, Cargo: cargo.BuildOptions{
		ManifestPath: o.manifestPath, Bin: p.sel.Bin,
		Profile: *p.cfg.Profile, Features: o.features, NoDefaultFeatures: o.noDefaultFeatures,
		AllFeatures: o.allFeatures, Locked: o.locked, Frozen: o.frozen, Offline: o.offline,
		Zig: p.zig, Glibc: p.glibc,
	}}
	if p.sel.Package != nil { // nil for a --binary outside any project
		c.Cargo.Package = p.sel.Package.Name
	}
	if p.cfg.Static != nil && *p.cfg.Static {
		c.StaticFrom = p.cfg.Source("static")
	}
	c.Supply = p.supply.supplier(runner, o.binary != "", c.Cargo.Package, p.manifest)
	return c
}

func (p *buildPlan) labels(ctx context.Context) map[string]string {
	defer timing.Start(ctx, "labels (git revision)")()
	l := map[string]string{}
	if p.sel.Package != nil {
		l = pipeline.Labels(ctx, p.sel.Package, filepath.Dir(p.sel.Package.ManifestPath))
	}
	for k, v := range p.cfg.Labels {
		l[k] = v
	}
	return l
}

func parseTags(cfg config.Resolved, bin string) ([]name.Tag, error) {
	raw := cfg.Tags
	if len(raw) == 0 {
		raw = []string{strings.ToLower(bin) + ":latest"}
	}
	tags := make([]name.Tag, 0, len(raw))
	for _, r := range raw {
		t, err := name.NewTag(r)
		if err != nil {
			return nil, usagef("tag %q (from %s) is not a valid image reference: %v", r, cfg.Source("tags"), err)
		}
		tags = append(tags, t)
	}
	return tags, nil
}

func (o *buildOptions) publishers(p *buildPlan, s *streams, extra ...publish.Option) (publish.Publisher, error) {
	var sinks []publish.Publisher
	progress := append(o.sinkOptions(s), extra...)
	if o.ociLayout != "" {
		sinks = append(sinks, publish.OCILayout(o.ociLayout, progress...))
	}
	if o.tarball != "" {
		sinks = append(sinks, publish.Tarball(o.tarball, progress...))
	}
	if o.load {
		sinks = append(sinks, publish.Daemon(progress...))
	}
	if o.push {
		if err := p.checkPushTags(); err != nil {
			return nil, err
		}
		sinks = append(sinks, publish.Registry(progress...))
	}
	if len(sinks) == 0 {
		sinks = append(sinks, publish.OCILayout(defaultLayoutDir(p), progress...))
	}
	return publish.Multi(sinks...), nil
}

// checkPushTags refuses --push without a tag naming a registry.
func (p *buildPlan) checkPushTags() error {
	if len(p.cfg.Tags) == 0 {
		return usagef("--push needs at least one -t/--tag naming the registry and repository, e.g. -t registry.example.com/%s:1.0", p.sel.Bin)
	}
	return nil
}

// defaultLayoutDir is target/berth/<bin>: beside cargo's own output, so
// `cargo clean` removes it and .gitignore already covers it.
func defaultLayoutDir(p *buildPlan) string {
	dir := "target"
	if p.project != nil && p.project.TargetDirectory != "" {
		dir = p.project.TargetDirectory
	}
	return filepath.Join(dir, "berth", p.sel.Bin)
}

// maxEpoch is 9999-12-31T23:59:59Z.
const maxEpoch = 253402300799

// sourceDateEpoch is the reproducible-builds timestamp, 0 when unset.
func sourceDateEpoch() (time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, usagef("SOURCE_DATE_EPOCH=%q: want seconds since 1970 as a non-negative integer", v)
	}
	// Image configs carry RFC 3339 times, which have four-digit years.
	if n > maxEpoch {
		return time.Time{}, usagef("SOURCE_DATE_EPOCH=%s is after the year 9999, which an image's timestamps cannot express: want at most %d", v, int64(maxEpoch))
	}
	return time.Unix(n, 0).UTC(), nil
}

func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, kv := range sortedKV(m) {
		out = append(out, kv.Key+"="+kv.Value)
	}
	return out
}

// cacheDir is where berth keeps what it can rebuild (layers, crate lists):
// $BERTH_CACHE_DIR, else the user's cache directory; "" when
// BERTH_CACHE_DIR=off disables it.
func cacheDir() string {
	dir := os.Getenv("BERTH_CACHE_DIR")
	if dir == "off" {
		return ""
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(base, "berth")
	}
	return dir
}

// layerCache keeps compressed layers between builds.
func layerCache() *image.Cache {
	if dir := cacheDir(); dir != "" {
		return &image.Cache{Dir: filepath.Join(dir, "layers")}
	}
	return nil
}

// fileStamps remembers the digests of unchanged host files.
func fileStamps() stamp.Store {
	if dir := cacheDir(); dir != "" {
		return stamp.Store{Dir: filepath.Join(dir, "sums")}
	}
	return stamp.Store{}
}

// crateCache keeps the crate lists of builds between builds.
func crateCache() *pipeline.CrateCache {
	if dir := cacheDir(); dir != "" {
		return &pipeline.CrateCache{Dir: filepath.Join(dir, "crates")}
	}
	return nil
}

// summary says on stderr what went into the image: its shared libraries
// and the compressed size of each layer.
func summary(res *pipeline.Result) string {
	var libs []string
	for _, l := range res.Closure.Libraries {
		libs = append(libs, l.Soname)
	}
	what := "no shared library (static)"
	if len(libs) > 0 {
		what = fmt.Sprintf("%d shared libraries (%s)", len(libs), strings.Join(libs, ", "))
	}
	var sizes []string
	if layers, err := res.Image.Layers(); err == nil {
		for _, l := range layers {
			if n, err := l.Size(); err == nil {
				sizes = append(sizes, fmt.Sprintf("%.1f MB", float64(n)/1e6))
			}
		}
	}
	return fmt.Sprintf("packaged %s with %s; layers: %s compressed", res.Entrypoint, what, strings.Join(sizes, " + "))
}

// sinkOptions are the options every output gets.
func (o *buildOptions) sinkOptions(s *streams) []publish.Option {
	opts := []publish.Option{publish.WithProgress(s.Err)}
	if o.force {
		opts = append(opts, publish.WithForce())
	}
	return opts
}

// compression is the layer compression the settings ask for.
func compression(cfg config.Resolved) (image.Compression, error) {
	if cfg.Compression == nil {
		return image.Gzip, nil
	}
	c, err := image.ParseCompression(*cfg.Compression)
	if err != nil {
		return "", usagef("compression (from %s): %v", cfg.Source("compression"), err)
	}
	return c, nil
}
