package recipe

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/berth-dev/berth/internal/workspace"
)

// LayerDependencies marks a recipe of the third-party dependencies alone.
const LayerDependencies = "dependencies"

// The dependency recipe's one package: it depends on every third-party
// crate the local packages use, as they use them. Its files live in depsDir
// under the workspace root, which no project uses.
const (
	depsPackage = "berth-dependencies"
	depsDir     = ".berth-dependencies"
)

// Dependencies derives from a recipe the recipe of its third-party
// dependencies alone (registry and git crates, and [patch] targets): one
// package, at the workspace root, that asks each crate for the features
// the local packages ask of it when cargo builds the selection (cargo's
// feature resolution, followed through the local packages). The local
// packages, their versions and the path dependencies between them are not
// in it, so a version bump, a new path dependency or a new member that
// brings no new crate leaves it as it was. Cooked first, it is the layer
// those edits reuse; the whole recipe, cooked next, compiles what it missed.
func Dependencies(r *Recipe) (*Recipe, error) {
	if r.Layer == LayerDependencies {
		return r, nil
	}
	rs, root, err := newResolver(r)
	if err != nil {
		return nil, err
	}
	rs.activateRoots(r)
	lock, err := recipeLockfile(r)
	if err != nil {
		return nil, err
	}
	reqs := rs.run()
	for i := range reqs {
		if reqs[i].spec.path != "" {
			reqs[i].spec.path = rebase(r.WorkspaceRoot, reqs[i].spec.path)
		}
	}
	manifest, hasHost := depsManifest(root, reqs, lock)
	wsRoot := r.WorkspaceRoot
	data, err := workspace.EncodeTOML(manifest)
	if err != nil {
		return nil, fmt.Errorf("encoding the dependency recipe's manifest: %w", err)
	}
	d := &Recipe{Version: FormatVersion, WorkspaceRoot: wsRoot, Layer: LayerDependencies}
	d.Packages = append(d.Packages, Package{Name: depsPackage, Manifest: path.Join(wsRoot, "Cargo.toml")})
	d.Files = append(d.Files, newFile(path.Join(wsRoot, "Cargo.toml"), KindManifest, data))
	d.Targets = append(d.Targets, Target{Package: depsPackage, Name: "berth_dependencies", Kind: "lib", CrateTypes: []string{"lib"},
		Path: path.Join(wsRoot, depsDir, "lib.rs"), Stub: StubLib})
	if hasHost {
		d.Targets = append(d.Targets, Target{Package: depsPackage, Name: "build-script-build", Kind: "custom-build", CrateTypes: []string{"bin"},
			Path: path.Join(wsRoot, depsDir, "build.rs"), Stub: StubMain})
	}
	for _, p := range r.Packages {
		if p.Vendored {
			d.Packages = append(d.Packages, p)
		}
	}
	for _, f := range r.Files {
		switch f.Kind {
		case KindConfig, KindToolchain, KindSource:
			d.Files = append(d.Files, f)
		case KindLockfile:
			data, err := depsLockfile(f, lock, r, reqs)
			if err != nil {
				return nil, err
			}
			d.Files = append(d.Files, newFile(f.Path, KindLockfile, data))
		}
	}
	d.sort()
	return d, nil
}

// newResolver reads the recipe's local manifests back.
func newResolver(r *Recipe) (*resolver, map[string]any, error) {
	files := map[string]File{}
	for _, f := range r.Files {
		files[f.Path] = f
	}
	rootPath := path.Join(r.WorkspaceRoot, "Cargo.toml")
	decode := func(p string) (map[string]any, error) {
		f, ok := files[p]
		if !ok {
			return nil, fmt.Errorf("the recipe has no manifest %s; run `cargo berth prepare` again", p)
		}
		return workspace.DecodeTOML(p, []byte(f.Contents))
	}
	root, err := decode(rootPath)
	if err != nil {
		return nil, nil, err
	}
	rs := &resolver{locals: map[string]*localPkg{}, byDir: map[string]*localPkg{}, rootDir: r.WorkspaceRoot,
		wsDeps: workspace.Table(root, "workspace", "dependencies"), enabled: map[activation]map[string]bool{}}
	for _, p := range r.Packages {
		if p.Vendored {
			continue
		}
		raw, err := decode(p.Manifest)
		if err != nil {
			return nil, nil, err
		}
		lp := &localPkg{name: p.Name, dir: path.Dir(p.Manifest), raw: raw, features: map[string][]string{}}
		feats := workspace.Table(raw, "features")
		for k := range feats {
			lp.features[k] = workspace.Strings(feats, k)
		}
		lib := workspace.Table(raw, "lib")
		lp.procMacro = lib["proc-macro"] == true || lib["proc_macro"] == true
		rs.locals[p.Name], rs.byDir[lp.dir] = lp, lp
	}
	return rs, root, nil
}

// activateRoots turns on the selection's features: of the selected
// package, or of every local package when the recipe selects none.
func (rs *resolver) activateRoots(r *Recipe) {
	sel := Selection{}
	if r.Select != nil {
		sel = *r.Select
	}
	for name, lp := range rs.locals {
		if sel.Package != "" && name != sel.Package {
			continue
		}
		a := activation{pkg: name}
		rs.enable(a, "")
		if !sel.NoDefaultFeatures {
			rs.enable(a, "default")
		}
		for _, list := range sel.Features {
			for _, f := range strings.FieldsFunc(list, func(c rune) bool { return c == ',' || c == ' ' }) {
				rs.enable(a, strings.TrimPrefix(f, name+"/"))
			}
		}
		if sel.AllFeatures {
			for f := range lp.features {
				rs.enable(a, f)
			}
			for _, dt := range workspace.DependencyTables(lp.raw) {
				for k, v := range dt.Table {
					if t, ok := v.(map[string]any); ok && t["optional"] == true {
						rs.enable(a, k)
					}
				}
			}
		}
	}
}

// recipeLockfile parses the recipe's Cargo.lock; nil when it has none.
func recipeLockfile(r *Recipe) (*workspace.Lockfile, error) {
	for _, f := range r.Files {
		if f.Kind == KindLockfile {
			return workspace.ParseLockfile(f.Path, []byte(f.Contents))
		}
	}
	return nil, nil
}

// sourceKey identifies where a request's crate comes from.
func (s depSpec) sourceKey() string {
	b, _ := json.Marshal(s.source) // map keys are sorted
	return string(b) + "|" + s.path
}

func sortRequests(reqs []request) {
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].from < reqs[j].from })
}
