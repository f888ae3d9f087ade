package pipeline

import (
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/timing"
)

// Compiled is what cargo makes for the targets before packaging.
type Compiled struct {
	Runner *cargo.Runner
	Cargo  cargo.BuildOptions
	// StaticFrom names where a static build was asked for, "" when not.
	StaticFrom string
	// Log receives what berth chose for each target (its linker); nil is quiet.
	Log io.Writer
	// Supply, when set, runs around each cargo build (and around a
	// prebuilt binary): it lists the crates compiled in and returns the
	// binary to package (with its .dep-v0 section).
	Supply Supplier
}

// Supplier starts, before cargo runs with bo (its target set), the listing
// of the crates the build compiles in, and returns the step that takes
// cargo's executable and gives the file to package and its crates.
type Supplier func(ctx context.Context, bo cargo.BuildOptions) func(exe string) (string, []audit.Crate, error)

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
		if o.Binary == "" && t.Note != "" && c.Log != nil {
			fmt.Fprintln(c.Log, t.Note)
		}
		var crates []audit.Crate
		var err error
		if o.Binary, crates, err = c.Compile(ctx, t, o.Binary); err != nil {
			return nil, err
		}
		if o.Root == "" && t.Root != "" {
			// The cross packages' root has the libraries but no system
			// files: the CA bundle still comes from the build machine.
			o.Root, o.SystemRoot = t.Root, "/"
		}
		release := func() {}
		if o.RuntimeFrom != "" {
			root, rel, err := runtimeRoot(ctx, o, t.Platform, o.Binary)
			if err != nil {
				return nil, err
			}
			o.Root, release = root, rel
		}
		res, err := Image(ctx, o)
		release() // the layers are written: the root is no longer read
		if err != nil && o.RuntimeFrom != "" {
			return nil, fmt.Errorf("with the runtime files of %s: %w", o.RuntimeFrom, err)
		}
		if err != nil {
			return nil, err
		}
		if t.Platform.Architecture != "" && res.Platform.String() != t.Platform.String() {
			return nil, fmt.Errorf("%s is a binary for %s, but %s was asked for: build it for that platform (check the target's linker and rustflags), or ask for %s", o.Binary, res.Platform, t.Platform, res.Platform)
		}
		res.Crates = crates
		out = append(out, res)
	}
	return out, nil
}

// Compile builds t's binary (or takes the prebuilt one) and passes it
// through c.Supply.
func (c Compiled) Compile(ctx context.Context, t Target, prebuilt string) (string, []audit.Crate, error) {
	var finish func(string) (string, []audit.Crate, error)
	if c.Supply != nil {
		bo := c.Cargo
		bo.Target, bo.Static = t.Triple, t.Static
		finish = c.Supply(ctx, bo)
	}
	exe := prebuilt
	if exe == "" {
		var err error
		done := timing.Startf(ctx, "cargo build %s", orHost(t.Triple))
		exe, err = Compile(ctx, c.Runner, t, c.Cargo, c.StaticFrom)
		done()
		if err != nil {
			return "", nil, err
		}
	}
	if finish == nil {
		return exe, nil, nil
	}
	defer timing.Start(ctx, "crates and .dep-v0 section")()
	return finish(exe)
}

func orHost(triple string) string {
	if triple == "" {
		return "(host)"
	}
	return triple
}

// Index is the OCI image index of results, one manifest per platform.
func Index(results []*Result) (v1.ImageIndex, error) {
	ms := make([]image.Manifest, 0, len(results))
	for _, r := range results {
		ms = append(ms, image.Manifest{Image: r.Image, Platform: r.Platform})
	}
	return image.Index(ms)
}
