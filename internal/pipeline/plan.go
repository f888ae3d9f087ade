package pipeline

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/timing"
)

// Build compiles and packages the plan once per target, in order: cargo,
// the closure (found where the target's libraries live), the image and its
// SBOM. The artifact is one image, or an index of one per platform; nothing
// is published here, so a failure on any platform leaves no output.
func (p *Plan) Build(ctx context.Context) (*image.Artifact, error) {
	rec := p.startRecord(ctx)
	p.startSource(ctx)
	opts := p.imageOptions(ctx)
	several := len(p.targets) > 1
	if p.splitting() {
		dir, err := os.MkdirTemp("", "berth-split-")
		if err != nil {
			return nil, fmt.Errorf("creating a directory for the split binary (set TMPDIR to a writable directory): %w", err)
		}
		defer os.RemoveAll(dir)
		p.splitDir = dir
	}
	var images, debug []image.Platformed
	for i, t := range p.targets {
		img, dbg, err := p.platformed(ctx, t, i, opts, several, rec)
		if err != nil {
			return nil, err
		}
		images = append(images, img)
		if dbg.Image != nil {
			debug = append(debug, dbg)
		}
	}
	art, err := image.NewArtifact(images)
	if err == nil && len(debug) > 0 {
		err = art.AddVariant(DebugSuffix, debug)
	}
	if err == nil && p.req.DebugInfoOut != "" {
		err = writeDebugFiles(ctx, p.req.DebugInfoOut, art)
	}
	if err != nil {
		return nil, err
	}
	if err := p.attachProvenance(ctx, art, rec); err != nil {
		return nil, err
	}
	if art.Index == nil {
		return art, nil
	}
	for _, img := range art.Images {
		d, err := img.Image.Digest()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(p.log, "%s: %s\n", img.Platform, d)
	}
	return art, nil
}

// platformed builds t's image (the n-th) with its attachments (the SBOM,
// the debug file), and its debug variant (no Image without one).
func (p *Plan) platformed(ctx context.Context, t Target, n int, opts Options, several bool, rec *record) (image.Platformed, image.Platformed, error) {
	var none image.Platformed
	res, err := p.image(ctx, t, n, opts)
	if err != nil {
		return none, none, err
	}
	if err := rec.add(t, res, res.runtimeDigest, p.req.RuntimeFrom, *p.cfg.Base); err != nil {
		return none, none, err
	}
	p.warn(res.Warnings)
	fmt.Fprintln(p.log, summary(res))
	atts, err := p.supply.document(ctx, res.Contents, res.Crates, p.epoch, p.supply.sbomOut(res.Platform, several))
	if err != nil {
		return none, none, err
	}
	if res.Split != nil {
		a, err := p.debugAttachment(res.Split)
		if err != nil {
			return none, none, err
		}
		atts = append(atts, a)
		fmt.Fprintf(p.log, "debug information split out: build-id %s, %.1f MB\n", res.Split.BuildID, float64(len(a.Data))/1e6)
	}
	return image.Platformed{Image: res.Image, Platform: res.Platform, Attachments: atts},
		image.Platformed{Image: res.Debug, Platform: res.Platform}, nil
}

// image compiles t's binary (the n-th target's) and packages it.
func (p *Plan) image(ctx context.Context, t Target, n int, opts Options) (*Result, error) {
	exe, crates, err := p.compile(ctx, t)
	if err != nil {
		return nil, err
	}
	exe, split, err := p.splitDebug(ctx, exe, n)
	if err != nil {
		return nil, err
	}
	opts.Binary = exe
	runtimeDigest := ""
	opts.Extras.Crates = crateNames(crates)
	p.warnAllocator(t, opts.Extras.Crates)
	if opts.Root == "" && t.Root != "" {
		// The cross packages' root has the libraries but no system files:
		// the CA bundle still comes from the build machine.
		opts.Root, opts.SystemRoot = t.Root, "/"
	}
	if opts.RuntimeFrom != "" {
		root, digest, release, err := runtimeRoot(ctx, opts, t.Platform, exe)
		if err != nil {
			return nil, err
		}
		// Once the layers are written the root is no longer read.
		defer release()
		opts.Root, runtimeDigest = root, digest
	}
	opts.Labels = p.labels(ctx) // git was asked beside cargo
	res, err := Image(ctx, opts)
	if err == nil && opts.Extras.DebugVariant {
		res.Debug, err = debugVariant(ctx, opts, res)
	}
	if err != nil && opts.RuntimeFrom != "" {
		return nil, fmt.Errorf("with the runtime files of %s: %w", opts.RuntimeFrom, err)
	}
	if err != nil {
		return nil, err
	}
	if t.Platform.Architecture != "" && res.Platform.String() != t.Platform.String() {
		return nil, fmt.Errorf("%s is a binary for %s, but %s was asked for: build it for that platform (check the target's linker and rustflags), or ask for %s", exe, res.Platform, t.Platform, res.Platform)
	}
	res.Crates, res.Split = crates, split
	res.runtimeDigest = runtimeDigest
	return res, nil
}

// Stage compiles the plan's one target and writes the files of its image
// into the new directory dir (the binary into appDir when given), for a
// Dockerfile's `COPY --from=builder`. Both directories are checked before
// cargo runs.
func (p *Plan) Stage(ctx context.Context, dir, appDir string) (*Contents, error) {
	if err := checkStageDirs(dir, appDir); err != nil {
		return nil, err
	}
	t := p.targets[0]
	exe, crates, err := p.compile(ctx, t)
	if err != nil {
		return nil, err
	}
	opts := Options{
		Binary: exe, Name: p.sel.Bin, Base: *p.cfg.Base, Includes: p.cfg.Include, Root: p.req.Sysroot,
		LibraryPaths: p.req.LibraryPaths, Extras: p.extras(), Env: sortedPairs(p.cfg.Env),
	}
	opts.Extras.Crates = crateNames(crates)
	p.warnAllocator(t, opts.Extras.Crates)
	if opts.Root == "" && t.Root != "" {
		opts.Root, opts.SystemRoot = t.Root, "/"
	}
	c, err := stageFiles(ctx, opts, dir, appDir)
	if err != nil {
		return nil, err
	}
	p.warn(c.Warnings)
	if p.supply.out != "" {
		if _, err := p.supply.document(ctx, c, crates, p.epoch, p.supply.out); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// compile runs cargo for t (unless a prebuilt binary was given) and returns
// the file to package, with its .dep-v0 section, and the crates in it. The
// crates are listed before cargo runs, not beside it: both would wait for
// cargo's package cache lock.
func (p *Plan) compile(ctx context.Context, t Target) (string, []audit.Crate, error) {
	bo := p.buildOptions(t)
	var crates []audit.Crate
	if p.supply.needsCrates(t.Binary != "") {
		var err error
		if crates, err = p.crates(ctx, bo); err != nil {
			return "", nil, err
		}
	}
	exe := t.Binary
	if exe == "" {
		if t.Note != "" {
			fmt.Fprintln(p.log, t.Note)
		}
		staticFrom := ""
		if p.cfg.Static != nil && *p.cfg.Static {
			staticFrom = p.cfg.Source("static")
		}
		var err error
		done := timing.Startf(ctx, "cargo build %s", orHost(t.Triple))
		exe, err = Compile(ctx, p.runner, p.hostEnv(t), bo, staticFrom)
		done()
		if err != nil {
			return "", nil, err
		}
	}
	defer timing.Start(ctx, "crates and .dep-v0 section")()
	return p.supply.audited(exe, crates, p.fileStamps())
}

// buildOptions are cargo's options for t's build.
func (p *Plan) buildOptions(t Target) cargo.BuildOptions {
	c := p.req.Cargo
	bo := cargo.BuildOptions{
		ManifestPath: c.ManifestPath, Bin: p.sel.Bin, Profile: *p.cfg.Profile, Features: c.Features,
		NoDefaultFeatures: c.NoDefaultFeatures, AllFeatures: c.AllFeatures,
		Locked: c.Locked, Frozen: c.Frozen, Offline: c.Offline, Zig: p.zig, Glibc: p.glibc,
		Target: t.Triple, Static: t.Static, Rustflags: remapFlags(p.remap),
	}
	if p.sel.Package != nil { // nil for a --binary outside any project
		bo.Package = p.sel.Package.Name
	}
	return bo
}

func orHost(triple string) string {
	if triple == "" {
		return "(host)"
	}
	return triple
}

// imageOptions are the image settings every target shares.
func (p *Plan) imageOptions(ctx context.Context) Options {
	return Options{
		Name: p.sel.Bin, Base: *p.cfg.Base, Includes: p.cfg.Include, Root: p.req.Sysroot,
		LibraryPaths: p.req.LibraryPaths, Epoch: p.epoch, Env: sortedPairs(p.cfg.Env),
		Expose: p.cfg.Expose, User: *p.cfg.User,
		Cache: p.layerCache(), Stamps: p.fileStamps(), DigestBinary: p.supply.format != "none",
		Progress: p.log, RuntimeFrom: p.req.RuntimeFrom, RuntimeCache: p.runtimeCache(), Compression: p.comp,
		Extras: p.extras(), Healthcheck: p.health,
	}
}

// labels are the package's OCI labels, then the settings' (which win).
func (p *Plan) labels(ctx context.Context) map[string]string {
	defer timing.Start(ctx, "labels (git revision)")()
	l := map[string]string{}
	if p.sel.Package != nil {
		l = labelsOf(p.sel.Package, p.source(ctx))
	}
	for k, v := range p.cfg.Labels {
		l[k] = v
	}
	return l
}

func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}) {
		out = append(out, k+"="+m[k])
	}
	return out
}

func (p *Plan) warn(warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(p.log, "warning: %s\n", w)
	}
}

// summary says what went into the image: its shared libraries and the
// compressed size of each layer.
func summary(res *Result) string {
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
	return fmt.Sprintf("packaged %s with %s; layers: %s compressed; %s", res.Entrypoint, what, strings.Join(sizes, " + "), strings.Join(res.Notes, "; "))
}
