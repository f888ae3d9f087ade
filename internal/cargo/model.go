package cargo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// Project is a cargo workspace as `cargo metadata --no-deps` describes it. The
// same type is filled by Runner.Metadata (cargo's own view) and by berth's own
// manifest reader, so the two can be compared.
type Project struct {
	Packages         []Package       `json:"packages"`
	WorkspaceMembers []string        `json:"workspace_members"`
	DefaultMembers   []string        `json:"workspace_default_members"`
	WorkspaceRoot    string          `json:"workspace_root"`
	TargetDirectory  string          `json:"target_directory"`
	Metadata         json.RawMessage `json:"metadata"`
}

// Package is one package of the workspace.
type Package struct {
	Name         string          `json:"name"`
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
}

// Target is one compilation target of a package.
type Target struct {
	Name             string   `json:"name"`
	Kind             []string `json:"kind"`
	CrateTypes       []string `json:"crate_types"`
	SrcPath          string   `json:"src_path"`
	Edition          string   `json:"edition"`
	RequiredFeatures []string `json:"required-features"`
}

// IsBin reports whether t is a binary target.
func (t Target) IsBin() bool { return slices.Contains(t.Kind, "bin") }

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

// Member returns the workspace member called name.
func (pr *Project) Member(name string) (*Package, error) {
	var names []string
	for i := range pr.Packages {
		if pr.Packages[i].Name == name {
			return &pr.Packages[i], nil
		}
		names = append(names, pr.Packages[i].Name)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("package %q is not in the workspace at %s; its packages are: %s", name, pr.WorkspaceRoot, join(names))
}

// Metadata runs `cargo metadata --no-deps` for the manifest: cargo's own view
// of the workspace, with no dependency resolution and so no network.
func (r *Runner) Metadata(ctx context.Context, manifestPath string) (*Project, error) {
	args := []string{"metadata", "--no-deps", "--format-version", "1"}
	if manifestPath != "" {
		args = append(args, "--manifest-path", manifestPath)
	}
	out, err := r.Output(ctx, "", args...)
	if err != nil {
		return nil, err
	}
	var p Project
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("decoding cargo metadata output: %w", err)
	}
	return &p, nil
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
