package pipeline

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/rootfs"
	"github.com/berth-dev/berth/internal/unpack"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// resolveRuntimeFrom takes the image of the runtime files from
// --runtime-from, else from the runtime-from setting (Cargo.toml,
// BERTH_RUNTIME_FROM: a team's default image). stage, which runs in a
// Dockerfile's Linux builder, takes its files from there and ignores the
// setting.
func (p *Plan) resolveRuntimeFrom() {
	switch {
	case p.req.RuntimeFrom != "":
		p.runtimeFromSrc = "--runtime-from"
		p.cfg.RuntimeFrom = &p.req.RuntimeFrom
		p.cfg.Sources["runtime-from"] = "flag"
	case p.cfg.RuntimeFrom != nil && *p.cfg.RuntimeFrom != "" && !p.req.Stage:
		p.req.RuntimeFrom, p.runtimeFromSrc = *p.cfg.RuntimeFrom, p.cfg.Origin("runtime-from")
	default:
		p.cfg.RuntimeFrom = nil
		delete(p.cfg.Sources, "runtime-from")
	}
}

// runtimeRoot pulls ref for platform (or, with no platform, the one binary
// runs on) and returns a directory holding its runtime files: its shared
// libraries, ld.so.conf and CA bundle, a root to resolve the closure in
// instead of the build machine's, and the function to call once the image
// is built. Roots are kept under opts.RuntimeCache by image digest and
// checked against their manifest when used again (unpack.Cache); with no
// cache, the root is private and release removes it.
func runtimeRoot(ctx context.Context, opts Options, platform v1.Platform, binary string) (root, digest string, release func(), err error) {
	if platform.Architecture == "" {
		b, err := elf.Check(binary)
		if err != nil {
			return "", "", nil, err
		}
		if platform, err = Platform(b.Machine, b.Class); err != nil {
			return "", "", nil, fmt.Errorf("%s: %w", binary, err)
		}
	}
	pull := opts.Pull
	if pull == nil {
		pull = func(ctx context.Context, ref string, p v1.Platform) (v1.Image, error) { return image.Pull(ctx, ref, p) }
	}
	img, err := pull(ctx, opts.RuntimeFrom, platform)
	if err != nil {
		return "", "", nil, fmt.Errorf("pulling the runtime image %s for %s: %w", opts.RuntimeFrom, platform, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", "", nil, fmt.Errorf("the digest of the runtime image %s: %w", opts.RuntimeFrom, err)
	}
	cache := &unpack.Cache{Dir: opts.RuntimeCache, Log: opts.Progress}
	root, release, err = cache.Root(ctx, img, unpack.Options{Want: wantedForRuntime})
	if err != nil {
		return "", "", nil, fmt.Errorf("reading the runtime files of %s: %w", opts.RuntimeFrom, err)
	}
	return root, d.String(), release, nil
}

// addFrom adds the files opts asks for (system files, extras) to set:
// those taken from a root other than the libraries' (the build machine's
// for a cross target's libraries).
func addFrom(set *fileset.Set, opts rootfs.Options, res *Contents) error {
	if !opts.System && len(opts.Extras) == 0 {
		return nil
	}
	sys, w, err := rootfs.Runtime(opts)
	if err != nil {
		return err
	}
	res.Warnings = append(res.Warnings, w...)
	for _, f := range sys.Files() {
		if err := set.Add(f); err != nil {
			return err
		}
	}
	return nil
}

// extrasRoot is where the system files and runtime extras come from: the
// system root when it is not the libraries' root.
func extrasRoot(opts Options) string {
	if opts.SystemRoot != "" {
		return opts.SystemRoot
	}
	return opts.Root
}
