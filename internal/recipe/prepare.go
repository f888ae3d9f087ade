package recipe

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/internal/workspace"
)

// PrepareOptions are the inputs of Prepare.
type PrepareOptions struct {
	// ManifestPath is a Cargo.toml of the workspace; "" means ./Cargo.toml.
	ManifestPath string
	// Assume lists target files to take as present though they are not on
	// disk: a planner that copied only Inputs passes Inputs.Targets.
	Assume []string
	// Select, when it names a package or a binary, trims the recipe to
	// what that binary needs; its features are recorded for the
	// dependency layer (Dependencies).
	Select Selection
}

// Prepare reads the workspace (without cargo) and returns its recipe.
func Prepare(opts PrepareOptions) (*Recipe, error) {
	ws, err := workspace.LoadWith(opts.ManifestPath, workspace.LoadOptions{Assume: opts.Assume})
	if err != nil {
		return nil, err
	}
	sel := opts.Select
	keep, err := keepSet(ws, &sel)
	if err != nil {
		return nil, err
	}
	p := &preparer{ws: ws, base: ws.ContextDir(), keep: keep, masked: map[string]bool{}, maskedDirs: map[string]bool{}}
	// A [patch]/[replace] target is vendored even when it is also a
	// workspace member: registry crates compile against it (log against a
	// patched cfg-if), so cook cannot build them on a stub. Its real
	// sources go into the recipe, unmasked; cook builds it like any
	// dependency and does not invalidate it; the final build finds it fresh
	// because the copied sources are the same bytes with older mtimes. The
	// price: editing it changes the recipe, so the dependency layer is
	// rebuilt, as for any vendored crate. See TestPatchedMember.
	for _, pkg := range ws.Packages {
		if !pkg.Patched && p.kept(&pkg) {
			p.masked[pkg.Name] = true
			p.maskedDirs[pkg.Dir()] = true
		}
	}
	r := &Recipe{Version: FormatVersion, WorkspaceRoot: p.rel(ws.WorkspaceRoot)}
	if !sel.isZero() {
		r.Select = &sel
	}
	steps := []func(*Recipe) error{p.manifests, p.lockfile, p.extraFiles, p.vendored}
	for _, step := range steps {
		if err := step(r); err != nil {
			return nil, err
		}
	}
	r.sort()
	return r, nil
}

type preparer struct {
	ws         *workspace.Project
	base       string
	keep       map[string]bool // manifest paths of the packages kept; nil: all
	masked     map[string]bool // package names whose versions are masked
	maskedDirs map[string]bool // their directories
}

// kept reports whether the recipe holds pkg.
func (p *preparer) kept(pkg *workspace.Package) bool {
	return p.keep == nil || p.keep[pkg.ManifestPath]
}

// rel returns p relative to the recipe root, slash-separated.
func (p *preparer) rel(abs string) string { return relTo(p.base, abs) }

// relTo returns abs relative to base, slash-separated.
func relTo(base, abs string) string {
	r, err := filepath.Rel(base, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(r)
}

// manifests adds every local manifest (masked) and every stub target.
func (p *preparer) manifests(r *Recipe) error {
	rootDone := false
	for i := range p.ws.Packages {
		pkg := &p.ws.Packages[i]
		if !p.kept(pkg) {
			continue
		}
		r.Packages = append(r.Packages, Package{Name: pkg.Name, Manifest: p.rel(pkg.Manifest.Path), Vendored: pkg.Patched})
		if pkg.Patched {
			continue
		}
		if err := p.addManifest(r, pkg.Manifest); err != nil {
			return err
		}
		rootDone = rootDone || pkg.Manifest.Path == p.ws.RootManifest.Path
		for _, t := range pkg.Targets {
			r.Targets = append(r.Targets, p.target(pkg, t))
		}
	}
	if !rootDone {
		return p.addManifest(r, p.ws.RootManifest)
	}
	return nil
}

func (p *preparer) addManifest(r *Recipe, m *workspace.Manifest) error {
	raw := deepCopy(m.Raw).(map[string]any)
	if m.Path == p.ws.RootManifest.Path {
		p.trimRoot(raw)
	}
	data, err := maskManifest(raw, m.Dir(), p.maskedDirs)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", m.Path, err)
	}
	r.Files = append(r.Files, newFile(p.rel(m.Path), KindManifest, data))
	return nil
}

func (p *preparer) target(pkg *workspace.Package, t workspace.Target) Target {
	kind := t.Kind[0]
	stub := StubLib
	switch {
	case kind == "proc-macro":
		stub = StubProcMacro
	case kind == "bin" || kind == "custom-build":
		stub = StubMain
	case kind == "example" && slices.Contains(t.CrateTypes, "bin"):
		stub = StubMain
	case (kind == "test" || kind == "bench") && !t.Harness:
		stub = StubMain
	}
	if kind != "example" && kind != "test" && kind != "bench" && kind != "bin" && kind != "custom-build" && kind != "proc-macro" {
		kind = "lib"
	}
	return Target{Package: pkg.Name, Name: t.Name, Kind: kind, CrateTypes: t.CrateTypes, Path: p.rel(t.SrcPath), Stub: stub}
}

// lockfile adds Cargo.lock with local versions masked.
func (p *preparer) lockfile(r *Recipe) error {
	path := filepath.Join(p.ws.WorkspaceRoot, "Cargo.lock")
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading lockfile: %w", err)
	}
	if _, err := workspace.ParseLockfile(path, data); err != nil {
		return err
	}
	if p.keep != nil {
		if data, err = workspace.TrimLockfile(path, data, p.lockRoots()); err != nil {
			return err
		}
	}
	r.Files = append(r.Files, newFile(p.rel(path), KindLockfile, workspace.MaskLockfile(data, p.masked)))
	return nil
}
