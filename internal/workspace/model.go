package workspace

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
)

// Project is a cargo workspace: its root, its local packages and their
// targets, in the shape `cargo metadata --no-deps` gives them. berth's
// manifest reader (Load) fills it with no cargo and no network; cargo's own
// `cargo metadata` (cargo.Runner.Metadata) fills the same type when the
// reader cannot answer, so the rest of berth sees one model.
type Project struct {
	// WorkspaceRoot is the absolute directory of the workspace root manifest.
	WorkspaceRoot string `json:"workspace_root"`
	// TargetDirectory is where cargo writes its output.
	TargetDirectory string `json:"target_directory"`
	// Metadata is the root manifest's [workspace.metadata] as JSON; nil
	// when there is none.
	Metadata json.RawMessage `json:"metadata"`
	// RootManifest is the workspace root's Cargo.toml; nil when cargo
	// metadata filled the project.
	RootManifest *Manifest `json:"-"`
	// Packages holds the local packages, sorted by manifest path: from the
	// reader every one (members, path dependencies inside or outside the
	// root, [patch]/[replace] targets), from cargo metadata the members.
	Packages []Package `json:"packages"`
	// DefaultMembers are the manifest paths `cargo build` builds by
	// default; empty means every member.
	DefaultMembers []string `json:"-"`
}

// Package is one local package (no registry source).
type Package struct {
	Name string `json:"name"`
	// Version is the resolved version; "0.0.0" when the manifest has none.
	Version      string          `json:"version"`
	ID           string          `json:"id"`
	ManifestPath string          `json:"manifest_path"`
	Description  string          `json:"description"`
	License      string          `json:"license"`
	Repository   string          `json:"repository"`
	Homepage     string          `json:"homepage"`
	Authors      []string        `json:"authors"`
	Edition      string          `json:"edition"`
	DefaultRun   string          `json:"default_run"`
	Targets      []Target        `json:"targets"`
	Metadata     json.RawMessage `json:"metadata"`
	// Member is true for a workspace member.
	Member bool `json:"-"`
	// Patched is true for the target of a [patch] or [replace] entry: it
	// stands in for a registry crate, so it is built as a dependency.
	Patched bool `json:"-"`
	// PathDeps are the manifest paths of the package's path dependencies
	// (reader only).
	PathDeps []string `json:"-"`
	// Manifest is the package's Cargo.toml (reader only).
	Manifest *Manifest `json:"-"`
}

// Target is one compilation target of a package.
type Target struct {
	Name             string   `json:"name"`
	Kind             []string `json:"kind"`
	CrateTypes       []string `json:"crate_types"`
	SrcPath          string   `json:"src_path"`
	Edition          string   `json:"edition"`
	RequiredFeatures []string `json:"required-features"`
	// Harness is false for a test or bench that brings its own main
	// (reader only: what a stub for it needs).
	Harness bool `json:"-"`
}

// IsBin reports whether t is a binary target.
func (t Target) IsBin() bool { return slices.Contains(t.Kind, "bin") }

// Dir is the package's root directory.
func (p *Package) Dir() string { return filepath.Dir(p.ManifestPath) }

// Binaries returns the package's binary targets' names, sorted.
func (p Package) Binaries() []string {
	var out []string
	for _, t := range p.Targets {
		if t.IsBin() {
			out = append(out, t.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Members returns the workspace members, sorted by manifest path.
func (pr *Project) Members() []*Package {
	var out []*Package
	for i := range pr.Packages {
		if pr.Packages[i].Member {
			out = append(out, &pr.Packages[i])
		}
	}
	return out
}

// Member returns the workspace member called name.
func (pr *Project) Member(name string) (*Package, error) {
	var names []string
	for _, p := range pr.Members() {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("package %q is not in the workspace at %s; its packages are: %s", name, pr.WorkspaceRoot, join(names))
}

func join(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	s := names[0]
	for _, n := range names[1:] {
		s += ", " + n
	}
	return s
}
