package workspace

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
)

// Selection is the binary berth packages and the package that owns it.
type Selection struct {
	Package *Package
	Bin     string
}

// SelectBinary is SelectBinaryFrom for the workspace root's manifest.
func (pr *Project) SelectBinary(pkg, bin string) (Selection, error) {
	return pr.SelectBinaryFrom(filepath.Join(pr.WorkspaceRoot, "Cargo.toml"), pkg, bin)
}

// SelectBinaryFrom picks the binary to package the way `cargo run` does when
// run with manifest (the --manifest-path, or the Cargo.toml nearest the
// working directory): bin if given, else the only binary in scope, else the
// package's default-run, else an error listing the choices. The scope is pkg
// if given, else the package of manifest, else (manifest is a virtual
// workspace's) every default member.
func (pr *Project) SelectBinaryFrom(manifest, pkg, bin string) (Selection, error) {
	scope, err := pr.scope(manifest, pkg)
	if err != nil {
		return Selection{}, err
	}
	var all []Selection
	for _, p := range scope {
		for _, b := range p.Binaries() {
			all = append(all, Selection{Package: p, Bin: b})
		}
	}
	if bin != "" {
		var found []Selection
		for _, s := range all {
			if s.Bin == bin {
				found = append(found, s)
			}
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
			return Selection{}, fmt.Errorf("no binary %q in %s; the binaries are: %s", bin, describeScope(scope), list(all))
		default:
			return Selection{}, fmt.Errorf("binary %q is in several packages (%s); choose one with -p/--package", bin, list(found))
		}
	}
	switch {
	case len(all) == 1:
		return all[0], nil
	case len(all) == 0:
		return Selection{}, fmt.Errorf("%s has no binary target; add src/main.rs or a [[bin]] section, or package a prebuilt binary with --binary", describeScope(scope))
	case len(scope) == 1 && scope[0].DefaultRun != "":
		return Selection{Package: scope[0], Bin: scope[0].DefaultRun}, nil
	}
	return Selection{}, fmt.Errorf("%s has several binaries; choose one with --bin (or set default-run in Cargo.toml): %s", describeScope(scope), list(all))
}

func (pr *Project) scope(manifest, pkg string) ([]*Package, error) {
	if pkg != "" {
		p, err := pr.Member(pkg)
		if err != nil {
			return nil, err
		}
		return []*Package{p}, nil
	}
	defaults := pr.DefaultMembers
	var out []*Package
	for _, p := range pr.Members() {
		if p.ManifestPath == manifest {
			return []*Package{p}, nil
		}
		if len(defaults) == 0 || slices.Contains(defaults, p.ManifestPath) {
			out = append(out, p)
		}
	}
	return out, nil
}

func describeScope(scope []*Package) string {
	if len(scope) == 1 {
		return fmt.Sprintf("package %q", scope[0].Name)
	}
	return "the workspace"
}

func list(sels []Selection) string {
	names := make([]string, 0, len(sels))
	for _, s := range sels {
		names = append(names, s.Bin+" (package "+s.Package.Name+")")
	}
	sort.Strings(names)
	return join(names)
}
