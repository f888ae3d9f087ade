package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Graph is cargo's resolve graph for one target platform and feature set,
// as `cargo metadata --filter-platform` reports it.
type Graph struct {
	Root     string // the package id of the binary's package
	Packages []Package
}

// Package is a node of the graph.
type Package struct {
	ID, Name, Version string
	// Source is cargo's source id ("registry+...", "git+...", "" for a path).
	Source  string
	License string // the manifest's SPDX expression, "" when absent
	Deps    []Dep
}

// Dep is an edge; Normal means some dep_kinds entry of it has kind null
// (a normal dependency, not dev or build) for the filtered platform.
type Dep struct {
	ID     string
	Normal bool
}

// Crate is one compiled-in crate, in the order and with the fields of
// cargo-auditable's format.
type Crate struct {
	Name, Version string
	Source        string // "crates.io", "git", "local", "registry" or "other"
	License       string // not part of .dep-v0; kept for the SBOM
	Root          bool
	Deps          []int // indices into the list, sorted
}

// Crates returns the packages reachable from g.Root through normal
// dependencies, which is what `cargo tree -e normal` prints: sorted by name,
// version and source id, each with the indices of its own normal deps.
func (g Graph) Crates() ([]Crate, error) {
	byID := make(map[string]*Package, len(g.Packages))
	for i := range g.Packages {
		byID[g.Packages[i].ID] = &g.Packages[i]
	}
	if byID[g.Root] == nil {
		return nil, fmt.Errorf("the resolve graph has no root package %q", g.Root)
	}
	seen := map[string]bool{g.Root: true}
	queue := []string{g.Root}
	for len(queue) > 0 {
		p := byID[queue[0]]
		queue = queue[1:]
		for _, d := range p.Deps {
			if !d.Normal || seen[d.ID] {
				continue
			}
			if byID[d.ID] == nil {
				return nil, fmt.Errorf("the resolve graph names %q as a dependency of %s but has no such package", d.ID, p.Name)
			}
			seen[d.ID] = true
			queue = append(queue, d.ID)
		}
	}
	ids := make([]*Package, 0, len(seen))
	for id := range seen {
		ids = append(ids, byID[id])
	}
	slices.SortFunc(ids, func(a, b *Package) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version), cmp.Compare(a.ID, b.ID))
	})
	index := make(map[string]int, len(ids))
	for i, p := range ids {
		index[p.ID] = i
	}
	out := make([]Crate, len(ids))
	for i, p := range ids {
		c := Crate{Name: p.Name, Version: p.Version, Source: SourceKind(p.Source), License: p.License, Root: p.ID == g.Root}
		for _, d := range p.Deps {
			if j, ok := index[d.ID]; ok && d.Normal && !slices.Contains(c.Deps, j) {
				c.Deps = append(c.Deps, j)
			}
		}
		slices.Sort(c.Deps)
		out[i] = c
	}
	return out, nil
}

// cratesIO is the source name cargo-auditable's schema gives the default
// registry; cargo's source id for it ends in this index name.
const (
	cratesIO      = "crates.io"
	cratesIOIndex = "/crates.io-index"
)

// SourceKind maps a cargo source id to cargo-auditable's source field, the
// way cargo-auditable does: the default registry (also when replaced by a
// local mirror, which cargo reports under the original id), git, a path, or
// another registry.
func SourceKind(id string) string {
	switch {
	case id == "":
		return "local"
	case strings.HasPrefix(id, "registry+") && strings.HasSuffix(id, cratesIOIndex),
		strings.HasPrefix(id, "sparse+") && strings.Contains(id, "index."+cratesIO+"/"):
		return cratesIO
	case strings.HasPrefix(id, "git+"):
		return "git"
	case strings.HasPrefix(id, "registry+"), strings.HasPrefix(id, "sparse+"):
		return "registry"
	case strings.HasPrefix(id, "path+"):
		return "local"
	}
	return "other"
}
