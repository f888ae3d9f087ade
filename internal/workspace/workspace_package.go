package workspace

import (
	"fmt"
	"path/filepath"
)

// DepTable is one dependency table of a manifest, e.g. [dependencies] or
// [target.'cfg(unix)'.build-dependencies].
type DepTable struct {
	// Keys is the table's path in the document.
	Keys  []string
	Table map[string]any
	Dev   bool
}

var depKinds = []string{"dependencies", "dev-dependencies", "dev_dependencies", "build-dependencies", "build_dependencies"}

// DependencyTables returns every dependency table of a package manifest,
// including target-specific ones, in a stable order.
func DependencyTables(raw map[string]any) []DepTable {
	var out []DepTable
	add := func(prefix []string, t map[string]any) {
		for _, k := range depKinds {
			if d := Table(t, k); d != nil {
				keys := append(append([]string{}, prefix...), k)
				out = append(out, DepTable{Keys: keys, Table: d, Dev: k == "dev-dependencies" || k == "dev_dependencies"})
			}
		}
	}
	add(nil, raw)
	targets := Table(raw, "target")
	for _, cfg := range SortedKeys(targets) {
		if t, ok := targets[cfg].(map[string]any); ok {
			add([]string{"target", cfg}, t)
		}
	}
	return out
}

// readPackage reads a package manifest, resolving fields inherited from
// [workspace.package], and discovers its targets.
func (l *loader) readPackage(manifest string) (*Package, error) {
	m, err := ReadManifest(manifest)
	if err != nil {
		return nil, err
	}
	if manifest == l.root.Path {
		m = l.root
	}
	pkg := Table(m.Raw, "package")
	if pkg == nil {
		return nil, fmt.Errorf("%s has no [package] table; a workspace member or path dependency must be a package", manifest)
	}
	name, _ := l.field(pkg, "name")
	if name == "" {
		return nil, fmt.Errorf("%s: package.name is missing; add name = \"...\" under [package]", manifest)
	}
	version, _ := l.field(pkg, "version")
	if version == "" {
		version = "0.0.0"
	}
	edition, _ := l.field(pkg, "edition")
	if edition == "" {
		edition = "2015"
	}
	p := &Package{Manifest: m, Name: name, Version: version, Edition: edition,
		ID: packageID(m.Dir(), name, version), ManifestPath: m.Path, Metadata: metadataJSON(m.Raw, "package")}
	l.about(p, pkg)
	p.Targets, err = discoverTargets(pkgInfo{raw: m.Raw, root: m.Dir(), name: name, edition: edition, files: l.files})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// about reads into a the descriptive fields of pkg (the [package] table:
// description, license, links, authors, default-run), inherited fields
// resolved, as cargo metadata reports them.
func (l *loader) about(a *Package, pkg map[string]any) {
	for key, to := range map[string]*string{"description": &a.Description, "license": &a.License,
		"repository": &a.Repository, "homepage": &a.Homepage, "default-run": &a.DefaultRun} {
		*to, _ = l.field(pkg, key)
	}
	a.Authors = Strings(pkg, "authors")
	if t, ok := pkg["authors"].(map[string]any); ok && t["workspace"] == true {
		a.Authors = Strings(Table(l.root.Raw, "workspace", "package"), "authors")
	}
}

// field returns a string package field, following `field.workspace = true`
// to [workspace.package].
func (l *loader) field(pkg map[string]any, key string) (string, bool) {
	switch v := pkg[key].(type) {
	case string:
		return v, true
	case map[string]any:
		if v["workspace"] == true {
			s, ok := stringAt(Table(l.root.Raw, "workspace", "package"), key)
			return s, ok
		}
	}
	return "", false
}

type pathDep struct {
	manifest string
	dev      bool
}

// pathDeps lists a package's path dependencies, following
// `dep.workspace = true` to [workspace.dependencies].
func (l *loader) pathDeps(p *Package) []pathDep {
	var out []pathDep
	wsDeps := Table(l.root.Raw, "workspace", "dependencies")
	for _, dt := range DependencyTables(p.Manifest.Raw) {
		for _, name := range SortedKeys(dt.Table) {
			dep, _ := dt.Table[name].(map[string]any)
			base := p.Dir()
			if dep["workspace"] == true {
				dep, _ = wsDeps[name].(map[string]any)
				base = l.root.Dir()
			}
			if rel, ok := stringAt(dep, "path"); ok {
				out = append(out, pathDep{manifest: filepath.Join(base, rel, "Cargo.toml"), dev: dt.Dev})
			}
		}
	}
	return out
}
