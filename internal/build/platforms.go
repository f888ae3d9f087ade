package build

import (
	"context"
	"fmt"
	"io"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/image"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Compiled is what cargo makes for the targets before packaging.
type Compiled struct {
	Runner *cargo.Runner
	Cargo  cargo.BuildOptions
	// StaticFrom names where a static build was asked for, "" when not.
	StaticFrom string
	// Log receives what berth chose for each target (its linker); nil is quiet.
	Log io.Writer
}

// Images compiles and packages opts once per target, in order: cargo for
// each platform, then its closure (found where the target's libraries live:
// Debian's multiarch directories under opts.Root) and its image. Nothing is
// published here, so a failure on any platform leaves no output behind.
// With opts.Binary set, cargo is skipped (one target only).
func Images(ctx context.Context, c Compiled, targets []Target, opts Options) ([]*Result, error) {
	if opts.Binary != "" && len(targets) > 1 {
		return nil, fmt.Errorf("a prebuilt binary is for one platform; several platforms need cargo to build each")
	}
	var out []*Result
	for _, t := range targets {
		o := opts
		if o.Binary == "" {
			if t.Note != "" && c.Log != nil {
				fmt.Fprintln(c.Log, t.Note)
			}
			exe, err := Compile(ctx, c.Runner, t, c.Cargo, c.StaticFrom)
			if err != nil {
				return nil, err
			}
			o.Binary = exe
		}
		if o.Root == "" && t.Root != "" {
			// The cross packages' root has the libraries but no system
			// files: the CA bundle still comes from the build machine.
			o.Root, o.SystemRoot = t.Root, "/"
		}
		if o.RuntimeFrom != "" {
			root, err := runtimeRoot(ctx, o, t.Platform, o.Binary)
			if err != nil {
				return nil, err
			}
			o.Root = root
		}
		res, err := Image(ctx, o)
		if err != nil && o.RuntimeFrom != "" {
			return nil, fmt.Errorf("with the runtime files of %s: %w", o.RuntimeFrom, err)
		}
		if err != nil {
			return nil, err
		}
		if t.Platform.Architecture != "" && res.Platform.String() != t.Platform.String() {
			return nil, fmt.Errorf("%s is a binary for %s, but %s was asked for: build it for that platform (check the target's linker and rustflags), or ask for %s", o.Binary, res.Platform, t.Platform, res.Platform)
		}
		out = append(out, res)
	}
	return out, nil
}

// Index is the OCI image index of results, one manifest per platform.
func Index(results []*Result) (v1.ImageIndex, error) {
	ms := make([]image.Manifest, 0, len(results))
	for _, r := range results {
		ms = append(ms, image.Manifest{Image: r.Image, Platform: r.Platform})
	}
	return image.Index(ms)
}
