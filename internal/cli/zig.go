package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/dockerfile"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/zigcc"
)

// resolveZig reads the zig setting (off for a prebuilt binary: cargo does
// not run) and --target, whose glibc version (cargo-zigbuild's spelling,
// aarch64-unknown-linux-gnu.2.17) is kept apart from the triple. With zig
// on, a working zig must be installed: checked here, before anything is
// written.
func (p *buildPlan) resolveZig(ctx context.Context, target string, prebuilt bool) error {
	p.zig = !prebuilt && p.cfg.Zig != nil && *p.cfg.Zig
	triples, glibc, err := splitGlibc(nonEmpty(target), p.zig, p.cfg.Static != nil && *p.cfg.Static)
	if err != nil {
		return err
	}
	if len(triples) == 1 {
		p.target, p.glibc = triples[0], glibc
	}
	if !p.zig {
		return nil
	}
	from := p.cfg.Origin("zig")
	if from == "flag" {
		from = "--zig"
	}
	return checkZig(ctx, from)
}

// checkZig stops a build that asks for zig (from where the setting came) on
// a machine without a working zig, saying how to install one.
func checkZig(ctx context.Context, from string) error {
	if _, err := zigcc.Find(ctx, nil); err != nil {
		return usagef("zig is on (from %s), and nothing was built: %v", from, err)
	}
	return nil
}

// splitGlibc takes the glibc version off each --target: the triples go to
// cargo, target planning and cargo metadata, the one version to the zig
// wrapper's -target. A version needs zig, and a dynamic
// build: it names the glibc the binary links against.
func splitGlibc(targets []string, zig, static bool) ([]string, string, error) {
	var triples []string
	glibc := ""
	for _, t := range targets {
		triple, v, err := cargo.SplitGlibc(t)
		if err != nil {
			return nil, "", usagef("--%v", err)
		}
		switch {
		case v == "":
		case !zig:
			return nil, "", usagef("--target %s: a glibc version after the triple is for --zig (zig links against that glibc); add --zig (or zig = true), or leave out .%s", t, v)
		case static:
			return nil, "", usagef("--target %s: a glibc version is for linking against that glibc dynamically, and --static links the C library in; leave out one of them", t)
		case glibc != "" && v != glibc:
			return nil, "", usagef("--target values name glibc %s and %s: --zig links every gnu target against one version", glibc, v)
		default:
			glibc = v
		}
		triples = append(triples, triple)
	}
	return triples, glibc, nil
}

// zig checks cook's --zig: the tools, and the targets' glibc version.
func (opts *cookOptions) zig(ctx context.Context) error {
	f := &opts.flags
	var err error
	if f.Targets, f.Glibc, err = splitGlibc(f.Targets, f.Zig, f.Static); err != nil || !f.Zig {
		return err
	}
	return checkZig(ctx, "--zig")
}

// zigTargets makes zig the linker of cook's --target values (cook
// --platform gets it from target planning, as stage does): the same
// wrapper paths stage's build gets, so that the dependencies stay fresh.
func (opts *cookOptions) zigTargets(ctx context.Context, s *streams, runner *cargo.Runner) error {
	if !opts.flags.Zig || len(opts.flags.Targets) == 0 {
		return nil
	}
	env := os.Environ()
	for _, triple := range opts.flags.Targets {
		add, note, err := pipeline.ZigEnv(ctx, nil, triple, opts.flags.Glibc)
		if err != nil {
			return err
		}
		fmt.Fprintf(s.Err, "%s: %s\n", triple, note)
		env = append(env, add...)
	}
	runner.Env = env
	return nil
}

// noZigInBuilder keeps zig = true from Cargo.toml out of the Dockerfile:
// its stage step reads Cargo.toml in the builder, which links with its own
// toolchain (as cook there does), so stage gets --zig=false, and says so.
func noZigInBuilder(s *streams, cfg config.Resolved, spec *dockerfile.Spec) {
	if cfg.Zig != nil && *cfg.Zig && cfg.Source("zig") != config.EnvLayer {
		spec.StageNoZig = true
		fmt.Fprintf(s.Err, "zig = true (from %s) is for cargo berth build: the Dockerfile's stage step gets --zig=false and links with the builder's toolchain\n", cfg.Source("zig"))
	}
}
