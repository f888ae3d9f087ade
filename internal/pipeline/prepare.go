package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/cargoconfig"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/timing"
	"github.com/berth-dev/berth/internal/workspace"
)

// Plan is a checked request: the project, the binary, the settings with
// their sources, the targets to compile and everything the image needs.
// Build and Stage carry it out; nothing in it has been built or written.
type Plan struct {
	req      Request
	runner   *cargo.Runner
	log      io.Writer
	project  *workspace.Project // nil when packaging a --binary outside any project
	manifest string             // the Cargo.toml cargo starts from
	sel      workspace.Selection
	cfg      config.Resolved
	supply   supply
	tags     []name.Tag
	epoch    time.Time
	comp     image.Compression
	cache    string // berth's cache directory, "" for none (resolveCache)
	// zig runs cargo zigbuild; target is --target's triple and glibc the
	// version zigbuild's spelling of it named (aarch64-unknown-linux-gnu.2.17).
	zig           bool
	target, glibc string
	targets       []Target
	platforms     []v1.Platform
	load          v1.Platform
	src           *gitSource       // the package's git commit, looked at once (source)
	srcFn         func() gitSource // the same, looked at beside cargo (startSource)
	health        *v1.HealthConfig
	// splitDir holds the split binaries during Build (split-debuginfo).
	splitDir string
	// warnedAllocator: the musl allocator warning is given once per build.
	warnedAllocator bool
	// remap are the directories rustc gets neutral names for, and
	// hostTarget berth's own target directory then ("" for none:
	// resolveRemap).
	remap      []pathRemap
	hostTarget string
	// runtimeFromSrc says where req.RuntimeFrom came from (the flag or
	// the runtime-from setting); hostNote is what the host-OS policy chose
	// on a build machine that is not Linux ("" on Linux).
	runtimeFromSrc, hostNote string
}

// Prepare reads the project and the settings, picks the binary and checks
// every input that can be checked before cargo runs: a typo must not cost a
// build. Input errors are *InputError, naming the setting and its source.
func Prepare(ctx context.Context, req Request) (*Plan, error) {
	p := &Plan{req: req, log: req.Log, runner: &cargo.Runner{Stderr: req.Log, Env: req.Env}}
	if p.log == nil {
		p.log = io.Discard
	}
	done := timing.Start(ctx, "project, settings and targets")
	defer done()
	if err := checkFiles(req); err != nil {
		return nil, err
	}
	if err := p.resolveCache(); err != nil {
		return nil, err
	}
	if err := p.resolve(ctx); err != nil {
		return nil, err
	}
	if err := p.resolveRemap(); err != nil {
		return nil, err
	}
	if err := p.planTargets(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// checkFiles checks the files the request names, before the project is
// read.
func checkFiles(req Request) error {
	if req.Sysroot != "" {
		if info, err := os.Stat(req.Sysroot); err != nil || !info.IsDir() {
			return inputf("--sysroot %s is not a directory: give the root the target's libraries live under", req.Sysroot)
		}
	}
	paths := []string{req.Binary}
	for _, b := range req.Binaries {
		paths = append(paths, b.Path)
	}
	for _, path := range paths {
		if _, err := os.Stat(path); path != "" && err != nil {
			return inputf("--binary %s: %v", path, errors.Unwrap(err))
		}
	}
	if req.ProvenanceOut != "" {
		if err := checkProvenanceOut(req.ProvenanceOut); err != nil {
			return err
		}
	}
	if req.SBOMOut != "" {
		return checkSBOMOut(req.SBOMOut)
	}
	return nil
}

// resolve reads the project and the settings and checks what they say.
func (p *Plan) resolve(ctx context.Context) error {
	var err error
	prebuilt := p.req.prebuilt()
	if p.project, p.manifest, err = loadProject(ctx, p.runner, p.req.Cargo.ManifestPath, prebuilt); err != nil {
		return err
	}
	if len(p.req.Cargo.Packages) > 1 {
		return inputf("-p given %d times (%s): an image holds one binary; give the package that owns it", len(p.req.Cargo.Packages), strings.Join(p.req.Cargo.Packages, ", "))
	}
	if p.sel, p.cfg, err = settings(p.project, p.req.Settings, p.env(), p.selectBinary); err != nil {
		return err
	}
	p.resolveRuntimeFrom()
	if err := p.applyHostPolicy(); err != nil {
		return err
	}
	if err := checkBeforeCargo(p.cfg, p.sel.Bin, p.req.LibraryPaths); err != nil {
		return err
	}
	if err := p.resolveZig(ctx, p.req.Cargo.Targets, prebuilt); err != nil {
		return err
	}
	if p.supply, err = resolveSupply(p.cfg, p.req.SBOMOut); err != nil {
		return err
	}
	if p.tags, err = parseTags(p.cfg, p.sel.Bin, p.req.Push); err != nil {
		return err
	}
	if p.epoch, err = sourceDateEpoch(p.env()); err != nil {
		return err
	}
	if err := p.checkRuntime(); err != nil {
		return err
	}
	p.comp, err = compression(p.cfg)
	return err
}

// checkRuntime checks the runtime settings: the health check, the
// packages the extras come from, split debug information and the debug
// variant's tags.
func (p *Plan) checkRuntime() error {
	var err error
	if p.health, err = Healthcheck(p.cfg); err != nil {
		return err
	}
	if p.req.RuntimeFrom == "" {
		if err := CheckExtras(p.req.Sysroot, p.extras()); err != nil {
			return err
		}
	}
	if err := checkDebugInfo(p.splitting(), p.cfg.Source("split-debuginfo"), p.req.DebugInfoOut); err != nil {
		return err
	}
	if p.extras().DebugVariant {
		return checkVariantTags(p.tags)
	}
	return nil
}

// env is the environment the request runs in.
func (p *Plan) env() []string {
	if p.req.Env != nil {
		return p.req.Env
	}
	return os.Environ()
}

func (p *Plan) selectBinary(bin string) (workspace.Selection, error) {
	pkg := ""
	if len(p.req.Cargo.Packages) == 1 {
		pkg = p.req.Cargo.Packages[0]
	}
	if !p.req.prebuilt() {
		return p.project.SelectBinaryFrom(p.manifest, pkg, bin)
	}
	sel := workspace.Selection{Bin: p.req.binaryName()}
	if p.project != nil {
		if found, err := p.project.SelectBinaryFrom(p.manifest, pkg, sel.Bin); err == nil {
			sel.Package = found.Package
		}
	}
	return sel, nil
}

// parseTags reads the tags (the binary's name, :latest, when none is
// given); a push needs one naming the registry.
func parseTags(cfg config.Resolved, bin string, push bool) ([]name.Tag, error) {
	raw := cfg.Tags
	if len(raw) == 0 {
		if push {
			return nil, inputf("--push needs at least one -t/--tag naming the registry and repository, e.g. -t registry.example.com/%s:1.0", bin)
		}
		raw = []string{strings.ToLower(bin) + ":latest"}
	}
	tags := make([]name.Tag, 0, len(raw))
	for _, r := range raw {
		t, err := name.NewTag(r)
		if err != nil {
			return nil, inputf("tag %q (from %s) is not a valid image reference: %v", r, cfg.Origin("tags"), err)
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// maxEpoch is 9999-12-31T23:59:59Z.
const maxEpoch = 253402300799

// sourceDateEpoch is the reproducible-builds timestamp, 0 when unset.
func sourceDateEpoch(env []string) (time.Time, error) {
	v, _ := lookup(env)("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, inputf("SOURCE_DATE_EPOCH=%q: want seconds since 1970 as a non-negative integer", v)
	}
	// Image configs carry RFC 3339 times, which have four-digit years.
	if n > maxEpoch {
		return time.Time{}, inputf("SOURCE_DATE_EPOCH=%s is after the year 9999, which an image's timestamps cannot express: want at most %d", v, int64(maxEpoch))
	}
	return time.Unix(n, 0).UTC(), nil
}

// lookup is os.LookupEnv for env.
func lookup(env []string) func(string) (string, bool) {
	return func(name string) (string, bool) { return cargoconfig.LookupEnv(env, name) }
}

// compression is the layer compression the settings ask for.
func compression(cfg config.Resolved) (image.Compression, error) {
	if cfg.Compression == nil {
		return image.Gzip, nil
	}
	c, err := image.ParseCompression(*cfg.Compression)
	if err != nil {
		return "", inputf("compression (from %s): %v", cfg.Origin("compression"), err)
	}
	return c, nil
}

// Bin is the binary the image runs.
func (p *Plan) Bin() string { return p.sel.Bin }

// Tags are the references the image is published under.
func (p *Plan) Tags() []name.Tag { return p.tags }

// Platforms are the platforms built, in order; one for a one-platform
// build (empty when it is the host's, unnamed).
func (p *Plan) Platforms() []v1.Platform { return p.platforms }

// LoadPlatform is the image of several that the daemon and a tarball take.
func (p *Plan) LoadPlatform() v1.Platform { return p.load }

// DefaultLayout is target/berth/<bin>: beside cargo's own output, so
// `cargo clean` removes it and .gitignore already covers it.
func (p *Plan) DefaultLayout() string {
	dir := "target"
	if p.project != nil && p.project.TargetDirectory != "" {
		dir = p.project.TargetDirectory
	}
	return filepath.Join(dir, "berth", p.sel.Bin)
}

// loadPlatform chooses, among several platforms, the one the daemon and a
// tarball take: the request's, else the host's, else the first.
func (p *Plan) loadPlatform() error {
	if len(p.platforms) < 2 {
		if p.req.LoadPlatform != "" {
			return inputf("--load-platform chooses among several platforms; give --platform with more than one")
		}
		return nil
	}
	if p.req.LoadPlatform != "" {
		ps, err := ParsePlatforms([]string{p.req.LoadPlatform})
		if err != nil || len(ps) != 1 {
			return inputf("--load-platform %q: want one of the built platforms (%v)", p.req.LoadPlatform, p.platforms)
		}
		for _, pl := range p.platforms {
			if pl.String() == ps[0].String() {
				p.load = pl
				return nil
			}
		}
		return inputf("--load-platform %s is not one of the platforms built (%v)", p.req.LoadPlatform, p.platforms)
	}
	p.load = p.platforms[0]
	for _, pl := range p.platforms {
		if pl.OS == "linux" && pl.Architecture == runtime.GOARCH {
			p.load = pl
			break
		}
	}
	return nil
}

// String says what the plan builds, for logs.
func (p *Plan) String() string {
	return fmt.Sprintf("%s for %v", p.sel.Bin, p.platforms)
}
