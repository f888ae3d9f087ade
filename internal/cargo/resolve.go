package cargo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Resolve is the dependency part of `cargo metadata`'s output: every
// package of the resolved graph and its edges, for one platform. It is not
// a second model of the project (that is workspace.Project, the local
// packages): it is the crate graph a build compiles, registry crates
// included, which only cargo's resolver can give.
type Resolve struct {
	Packages []ResolvedPackage `json:"packages"`
	Members  []string          `json:"workspace_members"`
	Graph    struct {
		Nodes []ResolveNode `json:"nodes"`
	} `json:"resolve"`
}

// ResolvedPackage is one package of the graph.
type ResolvedPackage struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Version string  `json:"version"`
	Source  *string `json:"source"` // nil for a path package
	License *string `json:"license"`
}

// ResolveNode is a package's edges.
type ResolveNode struct {
	ID   string `json:"id"`
	Deps []struct {
		Pkg      string `json:"pkg"`
		DepKinds []struct {
			Kind *string `json:"kind"` // nil for a normal dependency
		} `json:"dep_kinds"`
	} `json:"deps"`
}

// ResolveArgs is the `cargo metadata` command line that resolves the crate
// graph o compiles: same manifest, features and lockfile flags, filtered to
// o.Target.
func (o BuildOptions) ResolveArgs() []string {
	args := []string{"metadata", "--format-version", "1"}
	if o.ManifestPath != "" {
		args = append(args, "--manifest-path", o.ManifestPath)
	}
	return append(args, o.Flags().SelectionArgs("--filter-platform")...)
}

// Resolve runs `cargo metadata` with dependency resolution for o.Target and
// the features of the build, the graph the compiled crates come from.
func (r *Runner) Resolve(ctx context.Context, o BuildOptions) (*Resolve, error) {
	if o.Target == "" {
		return nil, fmt.Errorf("resolving dependencies needs a target triple")
	}
	out, err := r.Output(ctx, "", o.ResolveArgs()...)
	if err != nil {
		return nil, err
	}
	var res Resolve
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("decoding cargo metadata output: %w", err)
	}
	return &res, nil
}

// MemberID returns the package id of the workspace member called name.
func (r *Resolve) MemberID(name string) (string, error) {
	for _, p := range r.Packages {
		if p.Name == name && slices.Contains(r.Members, p.ID) {
			return p.ID, nil
		}
	}
	return "", fmt.Errorf("cargo metadata lists no workspace member %q (members: %s)", name, strings.Join(r.Members, ", "))
}
