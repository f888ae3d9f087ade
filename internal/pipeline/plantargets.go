package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/elf"
)

// planTargets maps the platforms and cargo flags to the builds to run,
// checking that every platform can be built here before anything runs.
func (p *Plan) planTargets(ctx context.Context) error {
	platforms, err := ParsePlatforms(p.cfg.Platforms)
	if err != nil {
		return inputf("%v (platforms from %s)", err, p.cfg.Origin("platforms"))
	}
	if err := p.checkCombinations(platforms); err != nil {
		return err
	}
	if len(p.req.Binaries) > 0 {
		return p.prebuiltTargets(platforms)
	}
	p.platforms = platforms
	if err := p.loadPlatform(); err != nil {
		return err
	}
	if p.req.Binary != "" {
		return p.prebuiltTarget(platforms)
	}
	targets, err := PlanTargets(ctx, p.runner, p.targetRequest(platforms))
	if err != nil {
		return fmt.Errorf("cannot build every platform asked for; nothing was built:\n%w", err)
	}
	p.targets = targets
	return nil
}

// checkCombinations refuses settings that contradict each other.
func (p *Plan) checkCombinations(platforms []v1.Platform) error {
	base, from := *p.cfg.Base, p.cfg.Origin("platforms")
	switch {
	case p.req.Stage && len(platforms) > 1:
		return inputf("stage writes one platform's files; several platforms (from %s) need one stage each, with --platform", from)
	case p.req.Stage && base != BaseAuto && base != BaseScratch:
		return inputf("stage takes base auto or scratch, not %q (from %s): put a base image in the Dockerfile's FROM instead", base, p.cfg.Origin("base"))
	case len(platforms) > 1 && p.req.Binary != "":
		return inputf("--binary packages one prebuilt binary; several platforms (from %s) need cargo", from)
	case len(platforms) > 1 && p.req.Sysroot != "":
		return inputf("--sysroot is one target's root; build one platform at a time with it")
	case len(platforms) > 0 && p.target != "":
		return inputf("--target %s and platforms (from %s) cannot be combined: platforms choose the target triples; give one of them", p.target, from)
	case p.req.RuntimeFrom != "" && p.req.Sysroot != "":
		return inputf("--runtime-from and --sysroot both say where runtime files come from; give one")
	case p.req.RuntimeFrom != "" && base != BaseAuto:
		return inputf("--runtime-from takes the runtime files for the auto base; with --base %s (from %s) the base image has its own", base, p.cfg.Origin("base"))
	}
	return nil
}

// prebuiltTarget is the one target of a --binary, whose ELF machine must
// be the platform asked for: checked now, not after the closure.
func (p *Plan) prebuiltTarget(platforms []v1.Platform) error {
	t := Target{Binary: p.req.Binary}
	if len(platforms) == 1 {
		if err := checkBinaryPlatform(p.req.Binary, platforms[0], p.cfg.Origin("platforms")); err != nil {
			return err
		}
		t.Platform = platforms[0]
	}
	p.targets = []Target{t}
	return nil
}

// prebuiltTargets are the targets of one binary per platform; the
// platforms are the binaries', in order, and none may be asked for too.
func (p *Plan) prebuiltTargets(platforms []v1.Platform) error {
	switch {
	case len(platforms) > 0:
		return inputf("--binary PLATFORM=PATH names the platforms; platforms (from %s) cannot be given too", p.cfg.Origin("platforms"))
	case p.req.Stage && len(p.req.Binaries) > 1:
		return inputf("stage writes one platform's files; give one --binary")
	}
	seen := map[string]bool{}
	for _, b := range p.req.Binaries {
		ps, err := ParsePlatforms([]string{b.Platform})
		if err != nil || len(ps) != 1 {
			return inputf("--binary %s=%s: %q is not one platform (e.g. linux/arm64)", b.Platform, b.Path, b.Platform)
		}
		if seen[ps[0].String()] {
			return inputf("--binary names platform %s twice: give one binary per platform", ps[0])
		}
		seen[ps[0].String()] = true
		if err := checkBinaryPlatform(b.Path, ps[0], "--binary "+b.Platform+"="+b.Path); err != nil {
			return err
		}
		p.platforms = append(p.platforms, ps[0])
		p.targets = append(p.targets, Target{Platform: ps[0], Binary: b.Path})
	}
	return p.loadPlatform()
}

// checkBinaryPlatform checks that the ELF machine of the prebuilt binary
// at path is platform's, before anything is packaged.
func checkBinaryPlatform(path string, platform v1.Platform, from string) error {
	b, err := elf.Check(path)
	if err != nil {
		return inputf("--binary %s: %v", path, err)
	}
	got, err := Platform(b.Machine, b.Class)
	if err != nil {
		return inputf("--binary %s: %v", path, err)
	}
	if got.String() != platform.String() {
		return inputf("--binary %s is a binary for %s, but platform %s was asked for (from %s): give the %s binary, or ask for %s",
			path, got, platform, from, platform, got)
	}
	return nil
}

// targetRequest is what the platforms and cargo flags ask of target
// planning; build, stage and cook make it the same way, so that cook's
// dependencies are fresh for stage's build.
func (p *Plan) targetRequest(platforms []v1.Platform) TargetRequest {
	return TargetRequest{
		Platforms: platforms, Target: p.target, Static: p.cfg.Static != nil && *p.cfg.Static,
		Dir: cargoDir(p.req.Cargo.ManifestPath), Sysroot: p.req.Sysroot, Zig: p.zig, Glibc: p.glibc, Env: p.req.Env,
		ImageLibraries: p.req.RuntimeFrom != "" || (*p.cfg.Base != BaseAuto && *p.cfg.Base != BaseScratch),
	}
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
