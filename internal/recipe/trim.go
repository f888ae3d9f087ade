package recipe

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/berth-dev/berth/internal/workspace"
)

// Selection narrows a recipe to the package that owns one binary (prepare's
// -p and --bin) and says which features cook builds it with (prepare's -F,
// --no-default-features, --all-features), which the dependency layer needs
// to know which third-party features the build turns on.
type Selection struct {
	Package           string   `json:"package,omitempty"`
	Bin               string   `json:"bin,omitempty"`
	Features          []string `json:"features,omitempty"`
	NoDefaultFeatures bool     `json:"no_default_features,omitempty"`
	AllFeatures       bool     `json:"all_features,omitempty"`
}

// isZero reports whether s selects nothing and sets no feature flag.
func (s Selection) isZero() bool {
	return !s.narrows() && len(s.Features) == 0 && !s.NoDefaultFeatures && !s.AllFeatures
}

// narrows reports whether s picks a package.
func (s Selection) narrows() bool { return s.Package != "" || s.Bin != "" }

// keepSet returns the manifest paths of the packages a trimmed recipe holds:
// the selected package, the workspace root's package, every [patch] target,
// and every package they reach through path dependencies (dev-dependencies
// of members included: cargo reads them to resolve the workspace). It also
// fills sel.Package when only --bin was given. nil means every package.
func keepSet(ws *workspace.Project, sel *Selection) (map[string]bool, error) {
	if !sel.narrows() {
		return nil, nil
	}
	var start *workspace.Package
	if sel.Bin != "" {
		s, err := ws.SelectBinary(sel.Package, sel.Bin)
		if err != nil {
			return nil, err
		}
		start = s.Package
	} else {
		p, err := ws.Member(sel.Package)
		if err != nil {
			return nil, err
		}
		start = p
	}
	sel.Package = start.Name
	byManifest := map[string]*workspace.Package{}
	queue := []string{start.ManifestPath}
	for i := range ws.Packages {
		p := &ws.Packages[i]
		byManifest[p.ManifestPath] = p
		if p.Patched || p.ManifestPath == ws.RootManifest.Path {
			queue = append(queue, p.ManifestPath)
		}
	}
	keep := map[string]bool{}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		p := byManifest[m]
		if keep[m] || p == nil {
			continue
		}
		keep[m] = true
		queue = append(queue, p.PathDeps...)
	}
	return keep, nil
}

// trimRoot rewrites a trimmed recipe's root manifest: workspace.members
// lists the kept members alone, default-members loses the others, and
// [workspace.dependencies] keeps the entries a kept package inherits, so
// that adding or changing an unrelated member leaves the recipe as it was.
func (p *preparer) trimRoot(raw map[string]any) {
	wsTable := workspace.Table(raw, "workspace")
	if p.keep == nil || wsTable == nil {
		return
	}
	var members, defaults []any
	for _, pkg := range p.ws.Members() {
		if !p.keep[pkg.ManifestPath] || pkg.ManifestPath == p.ws.RootManifest.Path {
			continue
		}
		rel := filepath.ToSlash(relTo(p.ws.WorkspaceRoot, pkg.Dir()))
		members = append(members, rel)
		for _, d := range p.ws.DefaultMembers {
			if d == pkg.ManifestPath {
				defaults = append(defaults, rel)
			}
		}
	}
	sortAny(members)
	sortAny(defaults)
	wsTable["members"] = members
	if _, ok := wsTable["default-members"]; ok && len(defaults) > 0 {
		wsTable["default-members"] = defaults
	} else {
		delete(wsTable, "default-members")
	}
	if deps := workspace.Table(raw, "workspace", "dependencies"); deps != nil {
		used := p.inherited()
		for k := range deps {
			if !used[k] {
				delete(deps, k)
			}
		}
	}
}

// inherited lists the [workspace.dependencies] keys kept packages inherit
// (`dep.workspace = true`).
func (p *preparer) inherited() map[string]bool {
	used := map[string]bool{}
	for _, pkg := range p.ws.Packages {
		if !p.keep[pkg.ManifestPath] || pkg.Manifest == nil {
			continue
		}
		for _, dt := range workspace.DependencyTables(pkg.Manifest.Raw) {
			for k, v := range dt.Table {
				if d, ok := v.(map[string]any); ok && d["workspace"] == true {
					used[k] = true
				}
			}
		}
	}
	return used
}

func sortAny(list []any) {
	sort.Slice(list, func(i, j int) bool { return fmt.Sprint(list[i]) < fmt.Sprint(list[j]) })
}

// lockRoots are the names of the kept local packages: the roots of the
// trimmed Cargo.lock.
func (p *preparer) lockRoots() map[string]bool {
	roots := map[string]bool{}
	for _, pkg := range p.ws.Packages {
		if p.keep[pkg.ManifestPath] {
			roots[pkg.Name] = true
		}
	}
	return roots
}
