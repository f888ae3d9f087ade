package pipeline

import (
	"context"
	"strings"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/zigcc"
)

// resolveZig reads the zig setting (off for a prebuilt binary: cargo does
// not run) and --target, whose glibc version (cargo-zigbuild's spelling,
// aarch64-unknown-linux-gnu.2.17) is kept apart from the triple. With zig
// on, a working zig must be installed: checked here, before anything is
// written.
func (p *Plan) resolveZig(ctx context.Context, targets []string, prebuilt bool) error {
	p.zig = !prebuilt && p.cfg.Zig != nil && *p.cfg.Zig
	triples, glibc, err := splitGlibc(targets, p.zig, p.cfg.Static != nil && *p.cfg.Static)
	if err != nil {
		return err
	}
	if len(triples) > 1 {
		return inputf("--target given %d times (%s): an image holds one binary of one target; for several platforms give --platform", len(triples), strings.Join(triples, ", "))
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
		return inputf("zig is on (from %s), and nothing was built: %v", from, err)
	}
	return nil
}

// splitGlibc takes the glibc version off each --target: the triples go to
// cargo, target planning and cargo metadata, the one version to the zig
// wrapper's -target. A version needs zig, and a dynamic build: it names
// the glibc the binary links against.
func splitGlibc(targets []string, zig, static bool) ([]string, string, error) {
	var triples []string
	glibc := ""
	for _, t := range targets {
		triple, v, err := cargo.SplitGlibc(t)
		if err != nil {
			return nil, "", inputf("--%v", err)
		}
		switch {
		case v == "":
		case !zig:
			return nil, "", inputf("--target %s: a glibc version after the triple is for --zig (zig links against that glibc); add --zig (or zig = true), or leave out .%s", t, v)
		case static:
			return nil, "", inputf("--target %s: a glibc version is for linking against that glibc dynamically, and --static links the C library in; leave out one of them", t)
		case glibc != "" && v != glibc:
			return nil, "", inputf("--target values name glibc %s and %s: --zig links every gnu target against one version", glibc, v)
		default:
			glibc = v
		}
		triples = append(triples, triple)
	}
	return triples, glibc, nil
}
