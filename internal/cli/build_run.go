package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/build"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/publish"
	"github.com/google/go-containerregistry/pkg/name"
)

// buildPlan is everything runBuild decided before doing any work.
type buildPlan struct {
	project  *cargo.Project // nil when packaging a --binary outside any project
	manifest string         // the Cargo.toml cargo starts from
	sel      cargo.Selection
	cfg      config.Resolved
	tags     []name.Tag
	epoch    time.Time
}

func runBuild(ctx context.Context, s *streams, o *buildOptions, changed map[string]bool) error {
	runner := &cargo.Runner{Stderr: s.Err}
	plan, err := o.plan(ctx, runner, changed)
	if err != nil {
		return err
	}
	sinks, err := o.publishers(plan, s)
	if err != nil {
		return err
	}
	// Checked before cargo runs: a typo must not cost a build.
	comp, err := compression(plan.cfg)
	if err != nil {
		return err
	}
	binary, err := o.compile(ctx, runner, plan)
	if err != nil {
		return err
	}
	res, err := build.Image(ctx, build.Options{
		Binary:       binary,
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
		Compression:  comp,
	})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(s.Err, "warning: %s\n", w)
	}
	fmt.Fprintln(s.Err, summary(res))
	lines, err := sinks.Publish(ctx, res.Image, plan.tags)
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(s.Out, l)
	}
	return nil
}

// plan reads the project and the configuration, picks the binary and checks
// every input, so that nothing is built when something is wrong.
func (o *buildOptions) plan(ctx context.Context, runner *cargo.Runner, changed map[string]bool) (*buildPlan, error) {
	if o.binary != "" {
		for _, f := range []string{"features", "no-default-features", "all-features", "target", "static", "profile", "locked", "frozen", "offline"} {
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
	if p.project, p.manifest, err = loadProject(ctx, runner, o.manifestPath, o.binary != "", o.ownReader); err != nil {
		return nil, err
	}
	if p.sel, p.cfg, err = settings(p.project, flags, func(bin string) (cargo.Selection, error) {
		return o.selectBinary(p, bin)
	}); err != nil {
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

// compile runs cargo unless a prebuilt binary was given.
func (o *buildOptions) compile(ctx context.Context, runner *cargo.Runner, p *buildPlan) (string, error) {
	if o.binary != "" {
		return o.binary, nil
	}
	bo := cargo.BuildOptions{
		ManifestPath: o.manifestPath, Package: p.sel.Package.Name, Bin: p.sel.Bin,
		Profile: *p.cfg.Profile, Features: o.features, NoDefaultFeatures: o.noDefaultFeatures,
		AllFeatures: o.allFeatures, Target: o.target,
		Locked: o.locked, Frozen: o.frozen, Offline: o.offline,
	}
	static := p.cfg.Static != nil && *p.cfg.Static
	if static {
		var err error
		if bo.Target, bo.Static, err = build.StaticTarget(ctx, runner, o.target); err != nil {
			return "", err
		}
	}
	exe, err := runner.Build(ctx, bo)
	if err != nil || !static {
		return exe, err
	}
	// The rustflags in effect can still undo it (-crt-static, or a musl
	// target made dynamic): never ship a dynamic binary as a static one.
	if b, err := elf.Check(exe); err == nil && !b.Static {
		return "", fmt.Errorf("a static build was asked for (static from %s), but cargo built %s dynamically linked "+
			"(interpreter %s): look for target-feature=-crt-static in RUSTFLAGS and in the rustflags of .cargo/config.toml",
			p.cfg.Source("static"), exe, b.Interpreter)
	}
	return exe, nil
}

func (p *buildPlan) labels(ctx context.Context) map[string]string {
	l := map[string]string{}
	if p.sel.Package != nil {
		l = build.Labels(ctx, p.sel.Package, filepath.Dir(p.sel.Package.ManifestPath))
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

func (o *buildOptions) publishers(p *buildPlan, s *streams) (publish.Publisher, error) {
	var sinks []publish.Publisher
	progress := publish.WithProgress(s.Err)
	if o.ociLayout != "" {
		sinks = append(sinks, publish.OCILayout(o.ociLayout, progress))
	}
	if o.tarball != "" {
		sinks = append(sinks, publish.Tarball(o.tarball, progress))
	}
	if o.load {
		sinks = append(sinks, publish.Daemon(progress))
	}
	if o.push {
		if len(p.cfg.Tags) == 0 {
			return nil, usagef("--push needs at least one -t/--tag naming the registry and repository, e.g. -t registry.example.com/%s:1.0", p.sel.Bin)
		}
		sinks = append(sinks, publish.Registry(progress))
	}
	if len(sinks) == 0 {
		sinks = append(sinks, publish.OCILayout(defaultLayoutDir(p), progress))
	}
	return publish.Multi(sinks...), nil
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

// sourceDateEpoch is the reproducible-builds timestamp, 0 when unset.
func sourceDateEpoch() (time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want seconds since 1970 as a non-negative integer", v)
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

// layerCache is where compressed layers are kept between builds:
// $BERTH_CACHE_DIR, else the user's cache directory; "off" disables it.
func layerCache() *image.Cache {
	dir := os.Getenv("BERTH_CACHE_DIR")
	if dir == "off" {
		return nil
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		dir = filepath.Join(base, "berth")
	}
	return &image.Cache{Dir: filepath.Join(dir, "layers")}
}

// summary says on stderr what went into the image: its shared libraries
// and the compressed size of each layer.
func summary(res *build.Result) string {
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
