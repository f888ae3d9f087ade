package recipe

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/cargo"
)

// stubText is what cook writes at a target's path, by stub kind.
var stubText = map[string]string{
	StubMain:      "fn main() {}\n",
	StubLib:       "",
	StubProcMacro: "extern crate proc_macro;\n",
}

// CookOptions are the inputs of Cook.
type CookOptions struct {
	// Dir is the directory the skeleton is written to: the builder's
	// WORKDIR, where the real sources are copied afterwards.
	Dir string
	// Flags are the build flags; the final build must use the same ones.
	Flags BuildFlags
	// Runner runs cargo; nil means cargo on PATH, with Log and Env.
	Runner *cargo.Runner
	// Log gets cargo's output, and Env is its environment (nil: the
	// process's), when Runner is nil.
	Log io.Writer
	Env []string
	// Overwrite lets cook replace files in Dir whose content differs from
	// the skeleton's; without it cook refuses, so that running it in a real
	// project never turns its sources into stubs.
	Overwrite bool
	// SeedDir, when set, is a target cache (a BuildKit cache mount): its
	// compiled third-party units are copied into the target directory
	// before cargo runs, and the target directory's, after a successful
	// cook, become its new seed.
	SeedDir string
}

// CookResult says what Cook did.
type CookResult struct {
	// TargetDir is the target directory cargo used.
	TargetDir string
	// Invalidated lists the removed local units, relative to TargetDir.
	Invalidated []string
}

// Cook writes the recipe's skeleton into opts.Dir, builds the dependencies
// with opts.Flags, then removes every local unit (fingerprints, artifacts,
// uplifted binaries, build script outputs) from every profile and target
// directory cargo used, so the next build after the real sources are copied
// compiles exactly the local crates, whatever their mtimes.
//
// A dependency recipe (Dependencies) is cooked with the same flags, less
// those naming local packages and features (its one package already asks
// for the features they turn on) and unlocked (its Cargo.lock stands in for
// the workspace's); its manifest, lockfile and stubs are removed afterwards,
// leaving the target directory for the whole recipe's cook.
//
// With opts.SeedDir, the target directory is seeded from that target cache
// before cargo runs and becomes its new seed after the local units are
// removed (see seedTarget and saveSeed): a broken cache is a cold build, a
// failed save a warning.
func Cook(ctx context.Context, r *Recipe, opts CookOptions) (*CookResult, error) {
	if err := WriteSkeleton(r, opts.Dir, opts.Overwrite); err != nil {
		return nil, err
	}
	if r.Layer == LayerDependencies {
		opts.Flags = depsFlags(opts.Flags)
	}
	wsDir := filepath.Join(opts.Dir, filepath.FromSlash(r.WorkspaceRoot))
	if opts.Runner == nil {
		opts.Runner = &cargo.Runner{Stderr: opts.Log, Env: opts.Env}
	}
	run, args := *opts.Runner, opts.Flags.Args()
	if opts.Flags.Static {
		if len(opts.Flags.Targets) != 1 {
			return nil, fmt.Errorf("a static cook needs exactly one --target (the one the final build uses)")
		}
		run.Env, args = cargo.AddRustflags(opts.Runner.Env, args, opts.Flags.Targets[0], wsDir, cargo.CrtStatic)
	}
	meta, err := opts.Runner.Metadata(ctx, filepath.Join(wsDir, "Cargo.toml"))
	if err != nil {
		return nil, fmt.Errorf("finding the target directory: %w", err)
	}
	seedTarget(ctx, opts, meta.TargetDirectory)
	units, err := build(ctx, run, wsDir, args, opts.SeedDir != "")
	if err != nil {
		return nil, fmt.Errorf("building the dependencies: %w", err)
	}
	removed, err := Invalidate(meta.TargetDirectory, r.localNames())
	if err != nil {
		return nil, err
	}
	if r.Layer == LayerDependencies {
		if err := removeSkeleton(r, opts.Dir); err != nil {
			return nil, err
		}
	}
	saveSeed(ctx, opts, meta.TargetDirectory, units)
	return &CookResult{TargetDir: meta.TargetDirectory, Invalidated: removed}, nil
}

// localNames are the names of the units Cook invalidates: every local (not
// vendored) package and target name, as written and with '-' as '_'.
func (r *Recipe) localNames() []string {
	vendored := map[string]bool{}
	for _, p := range r.Packages {
		vendored[p.Name] = p.Vendored
	}
	var names []string
	for _, p := range r.Packages {
		if !p.Vendored {
			names = append(names, p.Name)
		}
	}
	for _, t := range r.Targets {
		if !vendored[t.Package] {
			names = append(names, t.Name)
		}
	}
	return names
}

// depsFlags are a dependency recipe's cook flags: the profile, targets and
// linking of the build, nothing that names a local package or feature, and
// no --locked (--frozen keeps its --offline).
func depsFlags(f BuildFlags) BuildFlags {
	f.ManifestPath, f.Packages, f.Bins, f.Features = "", nil, nil, nil
	f.NoDefaultFeatures, f.AllFeatures, f.Workspace = false, false, false
	f.Tests, f.Benches, f.Examples, f.AllTargets = false, false, false, false
	f.Offline = f.Offline || f.Frozen
	f.Locked, f.Frozen = false, false
	return f
}

// removeSkeleton removes a dependency recipe's manifest, lockfile and
// stubs (and its empty directory) after its cook: the whole recipe's
// skeleton takes their place, and cook never overwrites a differing file.
func removeSkeleton(r *Recipe, dir string) error {
	var paths []string
	for _, f := range r.Files {
		if f.Kind == KindManifest || f.Kind == KindLockfile {
			paths = append(paths, f.Path)
		}
	}
	for _, t := range r.Targets {
		paths = append(paths, t.Path)
	}
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.Remove(full); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("removing the dependency recipe's %s after cooking: %w", p, err)
		}
	}
	_ = os.Remove(filepath.Join(dir, filepath.FromSlash(r.WorkspaceRoot), depsDir)) // only when empty
	return nil
}
