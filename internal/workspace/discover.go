package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// targetKind describes one family of auto-discovered targets.
type targetKind struct {
	key, kind, dir, auto string
}

var targetKinds = []targetKind{
	{key: "bin", kind: "bin", dir: "src/bin", auto: "autobins"},
	{key: "example", kind: "example", dir: "examples", auto: "autoexamples"},
	{key: "test", kind: "test", dir: "tests", auto: "autotests"},
	{key: "bench", kind: "bench", dir: "benches", auto: "autobenches"},
}

// pkgInfo is what target discovery needs to know about a package.
type pkgInfo struct {
	raw     map[string]any
	root    string
	name    string
	edition string
	files   *fileView
}

// discoverTargets applies cargo's target rules (explicit tables, then
// auto-discovery under src/, src/bin, examples, tests, benches, build.rs) to
// a package.
func discoverTargets(p pkgInfo) ([]Target, error) {
	var out []Target
	lib, err := libTarget(p)
	if err != nil {
		return nil, err
	}
	if lib != nil {
		out = append(out, *lib)
	}
	for _, k := range targetKinds {
		ts, err := kindTargets(p, k, lib != nil)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	build, err := buildScript(p)
	if err != nil {
		return nil, err
	}
	if build != nil {
		out = append(out, *build)
	}
	return out, nil
}

func libTarget(p pkgInfo) (*Target, error) {
	lib := Table(p.raw, "lib")
	pkg := Table(p.raw, "package")
	inferred := filepath.Join(p.root, "src", "lib.rs")
	if lib == nil {
		auto, set := boolAt(pkg, "autolib")
		if (set && !auto) || !p.files.exists(inferred) {
			return nil, nil
		}
		lib = map[string]any{}
	}
	name, ok := stringAt(lib, "name")
	if !ok {
		name = strings.ReplaceAll(p.name, "-", "_")
	}
	path := inferred
	if rel, ok := stringAt(lib, "path"); ok {
		path = filepath.Join(p.root, rel)
	} else if !p.files.exists(inferred) {
		// Edition 2015 falls back to src/<lib name>.rs.
		legacy := filepath.Join(p.root, "src", name+".rs")
		if p.edition != "2015" || !p.files.exists(legacy) {
			return nil, fmt.Errorf("%s: can't find library %q: create src/lib.rs or set lib.path", filepath.Join(p.root, "Cargo.toml"), name)
		}
		path = legacy
	}
	types := crateTypes(lib)
	if pm, _ := firstOf(lib, "proc-macro", "proc_macro"); pm == true {
		types = []string{"proc-macro"}
	}
	if len(types) == 0 {
		types = []string{"lib"}
	}
	t := Target{
		Name: name, Kind: types, CrateTypes: types, SrcPath: path, Edition: targetEdition(lib, p.edition),
		Harness: true,
	}
	return &t, nil
}

func crateTypes(t map[string]any) []string {
	v, _ := firstOf(t, "crate-type", "crate_type")
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func targetEdition(t map[string]any, def string) string {
	if e, ok := stringAt(t, "edition"); ok {
		return e
	}
	return def
}

// inferredTarget is a target found on disk: its name and absolute path.
type inferredTarget struct{ name, path string }

// kindTargets merges the explicit [[bin]]-style tables with the inferred
// targets the way cargo does, including the edition 2015 rule that explicit
// tables switch discovery off unless auto* is set.
func kindTargets(p pkgInfo, k targetKind, hasLib bool) ([]Target, error) {
	inferred := inferTargets(p, k)
	explicit, present := tablesAt(p.raw, k.key)
	auto, autoSet := boolAt(Table(p.raw, "package"), k.auto)
	var tables []map[string]any
	switch {
	case !present:
		if autoSet && !auto {
			return nil, nil
		}
		for _, in := range inferred {
			tables = append(tables, map[string]any{"name": in.name, "path": in.path})
		}
	default:
		tables = append(tables, explicit...)
		if !autoSet {
			auto = p.edition != "2015"
		}
		if auto {
			tables = append(tables, remaining(p, explicit, inferred)...)
		}
	}
	out := make([]Target, 0, len(tables))
	seen := map[string]bool{}
	for _, t := range tables {
		lt, err := kindTarget(p, k, t, inferred, hasLib)
		if err != nil {
			return nil, err
		}
		if seen[lt.Name] {
			return nil, fmt.Errorf("%s: found duplicate %s name %q, but all %s targets must have a unique name; rename one or set autodiscovery off (package.%s = false)",
				filepath.Join(p.root, "Cargo.toml"), k.key, lt.Name, k.key, k.auto)
		}
		seen[lt.Name] = true
		out = append(out, lt)
	}
	return out, nil
}

// remaining returns the inferred targets whose name and path no explicit
// table already claims.
func remaining(p pkgInfo, explicit []map[string]any, inferred []inferredTarget) []map[string]any {
	names, paths := map[string]bool{}, map[string]bool{}
	for _, t := range explicit {
		if n, ok := stringAt(t, "name"); ok {
			names[n] = true
		}
		if rel, ok := stringAt(t, "path"); ok {
			paths[filepath.Join(p.root, rel)] = true
		}
	}
	var out []map[string]any
	for _, in := range inferred {
		if !names[in.name] && !paths[in.path] {
			out = append(out, map[string]any{"name": in.name, "path": in.path})
		}
	}
	return out
}

func kindTarget(p pkgInfo, k targetKind, t map[string]any, inferred []inferredTarget, hasLib bool) (Target, error) {
	name, _ := stringAt(t, "name")
	rel, hasPath := stringAt(t, "path")
	if name == "" && hasPath {
		name = strings.TrimSuffix(filepath.Base(rel), ".rs")
		if name == "main" {
			name = filepath.Base(filepath.Dir(rel))
		}
	}
	if name == "" {
		return Target{}, fmt.Errorf("%s: a [[%s]] table has no name; add name = \"...\"", filepath.Join(p.root, "Cargo.toml"), k.key)
	}
	path, err := kindTargetPath(p, k, name, rel, hasPath, inferred, hasLib)
	if err != nil {
		return Target{}, err
	}
	types := []string{"bin"}
	if ct := crateTypes(t); k.key == "example" && len(ct) > 0 {
		types = ct
	}
	harness, set := boolAt(t, "harness")
	return Target{
		Name: name, Kind: []string{k.kind}, CrateTypes: types, SrcPath: path,
		Edition: targetEdition(t, p.edition), RequiredFeatures: Strings(t, "required-features"),
		Harness: harness || !set,
	}, nil
}

// kindTargetPath finds the file of a target table without a path, as
// cargo does: the one inferred target of that name. With none or several,
// edition 2015 binaries fall back to src/<name>.rs (without a lib),
// src/main.rs and src/bin/main.rs; examples, tests and benches have no
// fallback in any edition.
func kindTargetPath(p pkgInfo, k targetKind, name, rel string, hasPath bool, inferred []inferredTarget, hasLib bool) (string, error) {
	if hasPath {
		if filepath.IsAbs(rel) {
			return filepath.Clean(rel), nil
		}
		return filepath.Join(p.root, rel), nil
	}
	var found []string
	for _, in := range inferred {
		if in.name == name {
			found = append(found, in.path)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	if k.key == "bin" && p.edition == "2015" {
		if legacy := legacyBinPath(p, name, hasLib); legacy != "" {
			return legacy, nil
		}
	}
	manifest := filepath.Join(p.root, "Cargo.toml")
	if len(found) > 1 {
		a, _ := filepath.Rel(p.root, found[0])
		b, _ := filepath.Rel(p.root, found[1])
		return "", fmt.Errorf("%s: cannot infer the path of %s target %q: both %s and %s exist; remove one or set its path", manifest, k.key, name, a, b)
	}
	return "", fmt.Errorf("%s: can't find %s target %q at %s/%s.rs or %s/%s/main.rs; create it or set its path",
		manifest, k.key, name, k.dir, name, k.dir, name)
}

func legacyBinPath(p pkgInfo, name string, hasLib bool) string {
	var legacy []string
	if !hasLib {
		legacy = append(legacy, filepath.Join("src", name+".rs"))
	}
	legacy = append(legacy, filepath.Join("src", "main.rs"), filepath.Join("src", "bin", "main.rs"))
	for _, l := range legacy {
		if p.files.exists(filepath.Join(p.root, l)) {
			return filepath.Join(p.root, l)
		}
	}
	return ""
}

// inferTargets lists the targets a kind's directory holds: <dir>/*.rs and
// <dir>/*/main.rs, plus src/main.rs for binaries.
func inferTargets(p pkgInfo, k targetKind) []inferredTarget {
	var out []inferredTarget
	if k.key == "bin" {
		if m := filepath.Join(p.root, "src", "main.rs"); p.files.exists(m) {
			out = append(out, inferredTarget{name: p.name, path: m})
		}
	}
	dir := filepath.Join(p.root, filepath.FromSlash(k.dir))
	var found []inferredTarget
	for _, e := range p.files.readDir(dir) {
		full := filepath.Join(dir, e.name)
		switch {
		case strings.HasPrefix(e.name, "."):
			// cargo skips dotfiles and dot directories
		case !e.dir && strings.HasSuffix(e.name, ".rs"):
			found = append(found, inferredTarget{name: strings.TrimSuffix(e.name, ".rs"), path: full})
		case e.dir && p.files.exists(filepath.Join(full, "main.rs")):
			// Like cargo (DirEntry::file_type), a symlink to a directory
			// is not followed.
			found = append(found, inferredTarget{name: e.name, path: filepath.Join(full, "main.rs")})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].name != found[j].name {
			return found[i].name < found[j].name
		}
		return found[i].path < found[j].path
	})
	return append(out, found...)
}

func buildScript(p pkgInfo) (*Target, error) {
	pkg := Table(p.raw, "package")
	path := filepath.Join(p.root, "build.rs")
	switch v := pkg["build"].(type) {
	case bool:
		if !v {
			return nil, nil
		}
		if !p.files.exists(path) {
			return nil, fmt.Errorf("%s: package.build = true but build.rs does not exist", filepath.Join(p.root, "Cargo.toml"))
		}
	case string:
		path = filepath.Join(p.root, v)
	default:
		if !p.files.exists(path) {
			return nil, nil
		}
	}
	return &Target{
		Name: "build-script-build", Kind: []string{"custom-build"}, CrateTypes: []string{"bin"},
		SrcPath: path, Edition: p.edition,
		Harness: true,
	}, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
