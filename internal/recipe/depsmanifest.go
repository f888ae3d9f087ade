package recipe

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/internal/workspace"
)

// depGroup is one third-party crate, on one side, for one [target] key:
// the union of what the local packages ask of it.
type depGroup struct {
	host      bool
	cfg       string
	spec      depSpec // the first request's source
	locked    *workspace.LockedPackage
	versions  []string // requirements, when nothing is locked
	features  []string
	noDefault bool
}

// groupRequests merges the requests by crate, side and [target] key.
func groupRequests(reqs []request, lock *workspace.Lockfile) []*depGroup {
	sortRequests(reqs)
	byKey := map[string]*depGroup{}
	var order []string
	for _, q := range reqs {
		locked := lockedFor(lock, q.from, q.spec)
		id := "req"
		if locked != nil {
			id = locked.Version + " " + locked.Source
		}
		k := fmt.Sprintf("%v|%s|%s|%s|%s", q.host, q.cfg, q.spec.pkg, q.spec.sourceKey(), id)
		g := byKey[k]
		if g == nil {
			g = &depGroup{host: q.host, cfg: q.cfg, spec: q.spec, locked: locked, noDefault: true}
			byKey[k] = g
			order = append(order, k)
		}
		if q.spec.version != "" {
			g.versions = append(g.versions, q.spec.version)
		}
		g.features = append(g.features, q.features...)
		g.noDefault = g.noDefault && q.spec.noDefault
	}
	sort.Strings(order)
	out := make([]*depGroup, 0, len(order))
	for _, k := range order {
		out = append(out, byKey[k])
	}
	return out
}

// depsManifest writes the dependency recipe's manifest: the one package,
// every group as a dependency (build-dependencies for the host side, with
// a build script to build them), and the root manifest's [patch],
// [replace], [profile] and resolver, which the dependencies compile with.
func depsManifest(root map[string]any, reqs []request, lock *workspace.Lockfile) (map[string]any, bool) {
	pkg := map[string]any{"name": depsPackage, "version": maskedVersion, "edition": "2021", "publish": false,
		"autobins": false, "autoexamples": false, "autotests": false, "autobenches": false, "build": false}
	m := map[string]any{"package": pkg, "lib": map[string]any{"path": depsDir + "/lib.rs"},
		"workspace": map[string]any{"resolver": resolverOf(root)}}
	for _, k := range []string{"patch", "replace", "profile"} {
		if v, ok := root[k]; ok {
			m[k] = deepCopy(v)
		}
	}
	hasHost := false
	used := map[string]map[string]int{} // table path -> package -> count
	for _, g := range groupRequests(reqs, lock) {
		section := "dependencies"
		if g.host {
			section, hasHost = "build-dependencies", true
		}
		table := m
		if g.cfg != "" {
			table = subTable(subTable(m, "target"), g.cfg)
		}
		deps := subTable(table, section)
		tk := g.cfg + "/" + section
		if used[tk] == nil {
			used[tk] = map[string]int{}
		}
		used[tk][g.spec.pkg]++
		key := g.spec.pkg
		if n := used[tk][g.spec.pkg]; n > 1 {
			key += "-" + strconv.Itoa(n)
		}
		deps[key] = g.entry(key)
	}
	if hasHost {
		pkg["build"] = depsDir + "/build.rs"
	}
	return m, hasHost
}

// entry is the group's dependency declaration.
func (g *depGroup) entry(key string) map[string]any {
	e := map[string]any{}
	for k, v := range g.spec.source {
		e[k] = v
	}
	if key != g.spec.pkg {
		e["package"] = g.spec.pkg
	}
	if g.spec.path != "" {
		e["path"] = g.spec.path // rebased to the workspace root by Dependencies
	}
	switch {
	case g.locked != nil:
		e["version"] = "=" + g.locked.Version
	case len(g.versions) > 0:
		v := slices.Compact(slices.Sorted(slices.Values(g.versions)))
		e["version"] = strings.Join(v, ", ")
	}
	if feats := slices.Compact(slices.Sorted(slices.Values(g.features))); len(feats) > 0 {
		list := make([]any, len(feats))
		for i, f := range feats {
			list[i] = f
		}
		e["features"] = list
	}
	if g.noDefault {
		e["default-features"] = false
	}
	return e
}

func subTable(m map[string]any, key string) map[string]any {
	t, ok := m[key].(map[string]any)
	if !ok {
		t = map[string]any{}
		m[key] = t
	}
	return t
}

// resolverOf is the workspace's feature resolver: workspace.resolver, or
// the one the root package's edition implies.
func resolverOf(root map[string]any) string {
	if s, ok := workspace.Table(root, "workspace")["resolver"].(string); ok {
		return s
	}
	edition, _ := workspace.Table(root, "package")["edition"].(string)
	if edition == "" {
		edition, _ = workspace.Table(root, "workspace", "package")["edition"].(string)
	}
	switch edition {
	case "2021":
		return "2"
	case "2024":
		return "3"
	}
	return "1"
}

// lockedFor finds the Cargo.lock entry of the crate a local package asks
// for: the one its own entry lists under that name, or, when it lists
// several versions, the one the requirement accepts.
func lockedFor(lock *workspace.Lockfile, from string, spec depSpec) *workspace.LockedPackage {
	if lock == nil {
		return nil
	}
	var cands []workspace.LockedPackage
	for _, p := range lock.Packages {
		if p.Name != from || p.Source != "" {
			continue
		}
		for _, ref := range p.Dependencies {
			if name, _, _ := strings.Cut(ref, " "); name != spec.pkg {
				continue
			}
			if q, ok := lock.Find(ref); ok {
				cands = append(cands, q)
			}
		}
	}
	for _, c := range cands {
		if len(cands) == 1 || caretAccepts(spec.version, c.Version) {
			return &c
		}
	}
	return nil
}

// caretAccepts reports whether version is semver-compatible with the first
// version named in req (cargo's default caret rule): enough to tell apart
// the versions of one crate a package uses side by side.
func caretAccepts(req, version string) bool {
	first, _, _ := strings.Cut(req, ",")
	base := strings.TrimLeft(strings.TrimSpace(first), "^~=<> ")
	want, got := strings.Split(base, "."), strings.Split(strings.SplitN(version, "-", 2)[0], ".")
	for i := 0; i < len(want) && i < len(got); i++ {
		if want[i] != got[i] {
			return false
		}
		if want[i] != "0" {
			return true
		}
	}
	return true
}

// depsLockfile is the dependency recipe's Cargo.lock: the recipe's entries
// of registry and git crates and [patch] targets, and an entry for the one
// package. Cook builds it unlocked (cargo keeps these versions).
func depsLockfile(f File, lock *workspace.Lockfile, r *Recipe, reqs []request) ([]byte, error) {
	vendored := map[string]bool{}
	for _, p := range r.Packages {
		vendored[p.Name] = p.Vendored
	}
	keep := func(p workspace.LockedPackage) bool { return p.Source != "" || vendored[p.Name] }
	var set []workspace.LockedPackage
	for _, p := range lock.Packages {
		if keep(p) {
			set = append(set, p)
		}
	}
	root := workspace.LockedPackage{Name: depsPackage, Version: maskedVersion}
	for _, g := range groupRequests(reqs, lock) {
		if g.locked != nil {
			root.Dependencies = append(root.Dependencies, workspace.LockSpelling(set, *g.locked))
		}
	}
	root.Dependencies = slices.Compact(slices.Sorted(slices.Values(root.Dependencies)))
	data, err := workspace.LockfileOf(f.Path, []byte(f.Contents), keep, root)
	if err != nil {
		return nil, fmt.Errorf("writing the dependency recipe's lockfile: %w", err)
	}
	return data, nil
}

// rebase makes a path from the recipe root relative to dir.
func rebase(dir, p string) string {
	d, q := splitPath(dir), splitPath(p)
	i := 0
	for i < len(d) && i < len(q) && d[i] == q[i] {
		i++
	}
	out := strings.Repeat("../", len(d)-i) + path.Join(q[i:]...)
	if out == "" {
		return "."
	}
	return path.Clean(out)
}
