package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"
)

// platformFlags choose the platforms of a multi-platform build.
type platformFlags struct {
	platforms    []string
	loadPlatform string
	runtimeFrom  string
}

func (o *platformFlags) add(f *pflag.FlagSet) {
	f.StringArrayVar(&o.platforms, "platform", nil, "build for these platforms, cross-compiled with no emulation: linux/amd64, linux/arm64, linux/arm/v7, linux/riscv64 (comma-separated or repeated; default: the host)")
	f.StringVar(&o.runtimeFrom, "runtime-from", "", "take the runtime files (shared libraries, CA bundle) from this image, pulled for each platform, instead of the build machine")
	f.StringVar(&o.loadPlatform, "load-platform", "", "with several platforms, the one --load and --tarball take (default: the host's, else the first)")
}

// targets maps the platforms and cargo flags to the builds to run, checking
// that every platform can be built here before anything runs.
func (o *buildOptions) targets(ctx context.Context, runner *cargo.Runner, p *buildPlan, changed map[string]bool) ([]pipeline.Target, []v1.Platform, error) {
	platforms, err := pipeline.ParsePlatforms(p.cfg.Platforms)
	if err != nil {
		return nil, nil, usagef("%v (platforms from %s)", err, p.cfg.Source("platforms"))
	}
	switch {
	case len(platforms) > 1 && o.binary != "":
		return nil, nil, usagef("--binary packages one prebuilt binary; several platforms (from %s) need cargo", p.cfg.Source("platforms"))
	case len(platforms) > 1 && o.sysroot != "":
		return nil, nil, usagef("--sysroot is one target's root; build one platform at a time with it")
	case o.runtimeFrom != "" && o.sysroot != "":
		return nil, nil, usagef("--runtime-from and --sysroot both say where runtime files come from; give one")
	case o.runtimeFrom != "" && *p.cfg.Base != pipeline.BaseAuto:
		return nil, nil, usagef("--runtime-from takes the runtime files for the auto base; with --base %s (from %s) the base image has its own", *p.cfg.Base, p.cfg.Source("base"))
	case changed["load-platform"] && len(platforms) < 2:
		return nil, nil, usagef("--load-platform chooses among several platforms; give --platform with more than one")
	}
	if o.binary != "" {
		t := pipeline.Target{}
		if len(platforms) == 1 {
			t.Platform = platforms[0] // checked against the binary's ELF machine
		}
		return []pipeline.Target{t}, platforms, nil
	}
	targets, err := pipeline.PlanTargets(ctx, runner, targetRequest(platforms, p.target, p.cfg.Static != nil && *p.cfg.Static, cargoDir(o.manifestPath), o.sysroot, p.zig, p.glibc))
	if err != nil {
		return nil, nil, fmt.Errorf("cannot build every platform asked for; nothing was built:\n%w", err)
	}
	return targets, platforms, nil
}

// targetRequest is what the platforms and cargo flags ask of target
// planning; build, stage and cook make it the same way, so that cook's
// dependencies are fresh for stage's build.
func targetRequest(platforms []v1.Platform, target string, static bool, dir, sysroot string, zig bool, glibc string) pipeline.TargetRequest {
	return pipeline.TargetRequest{Platforms: platforms, Target: target, Static: static, Dir: dir, Sysroot: sysroot, Zig: zig, Glibc: glibc}
}

// cargoDir is where cargo looks for its config files for a build of
// manifestPath ("" for the current directory's project).
func cargoDir(manifestPath string) string {
	if manifestPath != "" {
		return filepath.Dir(manifestPath)
	}
	dir, _ := os.Getwd()
	return dir
}

// runtimeCache is where the runtime files of --runtime-from images are
// kept: beside the layer cache, else under the temporary directory.
func runtimeCache() string {
	if c := layerCache(); c != nil {
		return filepath.Join(filepath.Dir(c.Dir), "runtime")
	}
	return ""
}

// loadTarget is the platform --load and --tarball take from an index.
func (o *buildOptions) loadTarget(platforms []v1.Platform) (v1.Platform, error) {
	if o.loadPlatform != "" {
		ps, err := pipeline.ParsePlatforms([]string{o.loadPlatform})
		if err != nil || len(ps) != 1 {
			return v1.Platform{}, usagef("--load-platform %q: want one of the built platforms", o.loadPlatform)
		}
		for _, p := range platforms {
			if p.String() == ps[0].String() {
				return p, nil
			}
		}
		return v1.Platform{}, usagef("--load-platform %s is not one of the platforms built (%v)", o.loadPlatform, platforms)
	}
	for _, p := range platforms {
		if p.OS == "linux" && p.Architecture == runtime.GOARCH {
			return p, nil
		}
	}
	return platforms[0], nil
}

// indexPublishers are the sinks of a multi-platform build: the OCI layout
// and the registry take the whole index; the daemon and a docker-archive
// hold single images, so they take one platform's.
func (o *buildOptions) indexPublishers(p *buildPlan, s *streams, platforms []v1.Platform, extra ...publish.Option) (publish.IndexPublisher, error) {
	progress := append(o.sinkOptions(s), extra...)
	var sinks []publish.IndexPublisher
	if o.ociLayout != "" {
		sinks = append(sinks, publish.OCILayoutIndex(o.ociLayout, progress...))
	}
	if o.load || o.tarball != "" {
		one, err := o.loadTarget(platforms)
		if err != nil {
			return nil, err
		}
		if o.tarball != "" {
			sinks = append(sinks, publish.OnePlatform(publish.Tarball(o.tarball, progress...), one))
		}
		if o.load {
			sinks = append(sinks, publish.OnePlatform(publish.Daemon(progress...), one))
		}
		fmt.Fprintf(s.Err, "the Docker daemon and docker-archive tarballs hold one platform: %s goes there\n", one)
	}
	if o.push {
		if err := p.checkPushTags(); err != nil {
			return nil, err
		}
		sinks = append(sinks, publish.RegistryIndex(progress...))
	}
	if len(sinks) == 0 {
		sinks = append(sinks, publish.OCILayoutIndex(defaultLayoutDir(p), progress...))
	}
	return publish.MultiIndex(sinks...), nil
}

// publishIndex puts the images of several platforms into one index and
// sends it to the sinks; each platform's digest goes to stderr.
func publishIndex(ctx context.Context, s *streams, sinks publish.IndexPublisher, p *buildPlan, results []*pipeline.Result) ([]string, error) {
	idx, err := pipeline.Index(results)
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		d, err := r.Image.Digest()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(s.Err, "%s: %s\n", r.Platform, d)
	}
	return sinks.PublishIndex(ctx, idx, p.tags)
}

// dockerfilePlatforms are the platforms a cross-compiling Dockerfile names:
// the flag's, else the settings' (platforms in Cargo.toml, BERTH_PLATFORMS).
func dockerfilePlatforms(flag []string, cfg config.Resolved) ([]string, error) {
	values, from := flag, "--platform"
	if len(values) == 0 {
		values, from = cfg.Platforms, cfg.Source("platforms")
	}
	ps, err := pipeline.ParsePlatforms(values)
	if err != nil {
		return nil, usagef("%v (platforms from %s)", err, from)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out, nil
}
