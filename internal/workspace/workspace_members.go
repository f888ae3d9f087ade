package workspace

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// findRoot returns the workspace root manifest for m: m itself if it has a
// [workspace] table, the one package.workspace names, else the nearest
// ancestor with a [workspace] that does not exclude m.
func findRoot(m *Manifest) (*Manifest, error) {
	if _, ok := m.Raw["workspace"]; ok {
		return m, nil
	}
	if ws, ok := stringAt(Table(m.Raw, "package"), "workspace"); ok {
		return ReadManifest(filepath.Join(m.Dir(), ws, "Cargo.toml"))
	}
	for dir := filepath.Dir(m.Dir()); ; dir = filepath.Dir(dir) {
		path := filepath.Join(dir, "Cargo.toml")
		if exists(path) {
			anc, err := ReadManifest(path)
			if err != nil {
				return nil, err
			}
			if ws := Table(anc.Raw, "workspace"); ws != nil && !isExcluded(anc.Dir(), ws, m.Path) {
				return anc, nil
			}
		}
		if filepath.Dir(dir) == dir {
			return m, nil
		}
	}
}

// isExcluded is cargo's rule: under an `exclude` path and not under a path
// listed (unexpanded) in `members`.
func isExcluded(root string, ws map[string]any, manifestPath string) bool {
	under := func(list []string) bool {
		for _, e := range list {
			if within(filepath.Join(root, e), manifestPath) {
				return true
			}
		}
		return false
	}
	return under(Strings(ws, "exclude")) && !under(Strings(ws, "members"))
}

// within reports whether path is dir or below it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// loader collects the local packages of one workspace.
type loader struct {
	root *Manifest
	pkgs map[string]*Package // by manifest path
	// files is what target discovery sees: the disk and assumed files.
	files *fileView
}

func (l *loader) ws() map[string]any { return Table(l.root.Raw, "workspace") }

func (l *loader) load() error {
	var members []string
	if _, ok := l.root.Raw["package"]; ok {
		members = append(members, l.root.Path)
	}
	if ws := l.ws(); ws != nil {
		expanded, err := l.expand(Strings(ws, "members"), "members")
		if err != nil {
			return err
		}
		members = append(members, expanded...)
	}
	for _, m := range members {
		if err := l.add(m, true, false, l.root.Path); err != nil {
			return err
		}
	}
	return l.addPatches()
}

// expand resolves member globs to manifest paths, dropping excluded ones.
func (l *loader) expand(patterns []string, key string) ([]string, error) {
	var out []string
	for _, pat := range patterns {
		manifests, err := l.expandOne(pat, key)
		if err != nil {
			return nil, err
		}
		out = append(out, manifests...)
	}
	return out, nil
}

// expandOne expands one entry as cargo does (see workspace_glob.go): an
// entry that matches nothing is an error; matched files are ignored; an
// excluded directory is skipped; any other matched directory must hold a
// Cargo.toml, even when the entry is a glob.
func (l *loader) expandOne(pat, key string) ([]string, error) {
	full := pat
	if !filepath.IsAbs(pat) {
		full = l.root.Dir() + "/" + pat // cargo globs root.join(entry), unnormalized
	}
	matches, err := globPaths(full)
	if err != nil {
		return nil, fmt.Errorf("%s: workspace.%s entry %q is not a valid glob: %w; fix the pattern", l.root.Path, key, pat, err)
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("%s: workspace.%s entry %q matches no directory; fix or remove it", l.root.Path, key, pat)
	}
	var out []string
	for _, dir := range matches {
		if !isDir(dir) {
			continue
		}
		manifest := filepath.Join(dir, "Cargo.toml")
		if isExcluded(l.root.Dir(), l.ws(), manifest) {
			continue
		}
		if !exists(manifest) {
			return nil, fmt.Errorf("%s: workspace.%s entry %q matches %s, which has no Cargo.toml; cargo requires one in every matched directory: add it, or list the directory in workspace.exclude", l.root.Path, key, pat, dir)
		}
		out = append(out, manifest)
	}
	return out, nil
}

// add reads the package at manifest and, recursively, its path dependencies.
// A path dependency under the root becomes a member unless excluded.
func (l *loader) add(manifest string, member, patched bool, from string) error {
	manifest = filepath.Clean(manifest)
	if p, ok := l.pkgs[manifest]; ok {
		p.Member = p.Member || member
		p.Patched = p.Patched || patched
		return nil
	}
	if !exists(manifest) {
		return fmt.Errorf("%s: dependency or member at %s has no Cargo.toml (missing %s); fix the path", from, filepath.Dir(manifest), manifest)
	}
	p, err := l.readPackage(manifest)
	if err != nil {
		return err
	}
	p.Member, p.Patched = member, patched
	l.pkgs[manifest] = p
	for _, dep := range l.pathDeps(p) {
		child := member && within(l.root.Dir(), dep.manifest) && !isExcluded(l.root.Dir(), l.ws(), dep.manifest)
		if dep.dev && !member {
			continue // dev-dependencies of non-members are never built
		}
		p.PathDeps = append(p.PathDeps, dep.manifest)
		if err := l.add(dep.manifest, child, false, p.Manifest.Path); err != nil {
			return err
		}
	}
	sort.Strings(p.PathDeps)
	return nil
}

// addPatches adds the path targets of [patch.*] and [replace] entries.
func (l *loader) addPatches() error {
	var tables []map[string]any
	for _, t := range Table(l.root.Raw, "patch") {
		if m, ok := t.(map[string]any); ok {
			tables = append(tables, m)
		}
	}
	tables = append(tables, Table(l.root.Raw, "replace"))
	for _, t := range tables {
		for _, name := range SortedKeys(t) {
			dep, _ := t[name].(map[string]any)
			if rel, ok := stringAt(dep, "path"); ok {
				manifest := filepath.Join(l.root.Dir(), rel, "Cargo.toml")
				if err := l.add(manifest, false, true, l.root.Path); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (l *loader) defaultMembers() ([]string, error) {
	ws := l.ws()
	if dm, ok := ws["default-members"]; ok && dm != nil {
		paths, err := l.expand(Strings(ws, "default-members"), "default-members")
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			if !l.pkgs[p].isMember() {
				return nil, fmt.Errorf("%s: %s is listed in workspace.default-members but is not a member; add it to workspace.members too",
					l.root.Path, filepath.Dir(p))
			}
		}
		return paths, nil
	}
	if _, ok := l.root.Raw["package"]; ok {
		return []string{l.root.Path}, nil
	}
	var out []string
	for path, p := range l.pkgs {
		if p.Member {
			out = append(out, path)
		}
	}
	sort.Strings(out)
	return out, nil
}

// SortedKeys returns the keys of a TOML table, sorted.
func SortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
