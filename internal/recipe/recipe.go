package recipe

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// FormatVersion is the recipe format this berth writes and the newest it
// reads. Format 2 added select and layer.
const FormatVersion = 2

// Recipe is everything cook needs to build a workspace's dependencies. All
// paths are slash-separated and relative to the recipe root: the directory
// that holds the workspace and every local package (the build context).
type Recipe struct {
	Version int `json:"version"`
	// WorkspaceRoot is the workspace root's directory, "." when the recipe
	// root is the workspace root.
	WorkspaceRoot string    `json:"workspace_root"`
	Packages      []Package `json:"packages"`
	Files         []File    `json:"files"`
	Targets       []Target  `json:"targets"`
	// Select is the package and features the recipe was prepared for
	// (prepare's -p, --bin and feature flags); nil for a whole workspace.
	Select *Selection `json:"select,omitempty"`
	// Layer is LayerDependencies for a recipe of the third-party
	// dependencies alone (Dependencies), "" for a whole recipe.
	Layer string `json:"layer,omitempty"`
}

// Package is a local package.
type Package struct {
	Name     string `json:"name"`
	Manifest string `json:"manifest"`
	// Vendored packages ([patch]/[replace] targets) are built from their
	// real sources, which the recipe carries, and are not invalidated.
	Vendored bool `json:"vendored,omitempty"`
}

// File kinds.
const (
	KindManifest  = "manifest"
	KindLockfile  = "lockfile"
	KindConfig    = "config"
	KindToolchain = "toolchain"
	KindSource    = "source"
)

// File is a file cook writes verbatim.
type File struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
	// Contents is the text; for a file that is not UTF-8 it is base64 and
	// Base64 is set.
	Contents string `json:"contents"`
	Base64   bool   `json:"base64,omitempty"`
}

// newFile makes a File, choosing base64 for bytes that are not UTF-8.
func newFile(p, kind string, data []byte) File {
	if utf8.Valid(data) {
		return File{Path: p, Kind: kind, Contents: string(data)}
	}
	return File{Path: p, Kind: kind, Contents: base64.StdEncoding.EncodeToString(data), Base64: true}
}

// Data returns the file's bytes.
func (f File) Data() ([]byte, error) {
	if !f.Base64 {
		return []byte(f.Contents), nil
	}
	return base64.StdEncoding.DecodeString(f.Contents)
}

// Stub kinds: what cook writes at a target's path.
const (
	StubMain      = "main"       // fn main() {}
	StubLib       = "lib"        // an empty library
	StubProcMacro = "proc-macro" // a valid, empty proc-macro library
)

// Target is a target of a local (not vendored) package.
type Target struct {
	Package    string   `json:"package"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	CrateTypes []string `json:"crate_types"`
	Path       string   `json:"path"`
	Stub       string   `json:"stub"`
}

// Encode returns the recipe's canonical JSON: sorted, indented, ending in a
// newline, so equal recipes are equal bytes.
func (r *Recipe) Encode() ([]byte, error) {
	r.sort()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("encoding recipe: %w", err)
	}
	return buf.Bytes(), nil
}

func (r *Recipe) sort() {
	sort.Slice(r.Packages, func(i, j int) bool { return r.Packages[i].Manifest < r.Packages[j].Manifest })
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path })
	sort.Slice(r.Targets, func(i, j int) bool {
		a, b := r.Targets[i], r.Targets[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Name < b.Name
	})
}

// Decode parses and validates a recipe; name is used in errors.
func Decode(name string, data []byte) (*Recipe, error) {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s is not a berth recipe (invalid JSON: %v); run `cargo berth prepare` again", name, err)
	}
	if probe.Version == nil {
		return nil, fmt.Errorf("%s is not a berth recipe (no \"version\" field); run `cargo berth prepare` again", name)
	}
	if *probe.Version > FormatVersion {
		return nil, fmt.Errorf("%s: recipe format %d is newer than this berth (%d); upgrade berth", name, *probe.Version, FormatVersion)
	}
	if *probe.Version < 1 {
		return nil, fmt.Errorf("%s: recipe format %d is not valid; run `cargo berth prepare` again", name, *probe.Version)
	}
	var r Recipe
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s is a corrupt recipe (%v); run `cargo berth prepare` again", name, err)
	}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("%s is a corrupt recipe: %w; run `cargo berth prepare` again", name, err)
	}
	return &r, nil
}

// ReadFile reads and validates the recipe at path.
func ReadFile(p string) (*Recipe, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("reading recipe: %w", err)
	}
	return Decode(p, data)
}

// validate checks the whole recipe before cook writes anything: every path
// is a clean relative path with no NUL byte, every kind is known, and no path
// is another's parent directory (a file "zz" and a file "zz/inner" cannot
// both be written), so that a bad recipe never leaves a partial skeleton.
func (r *Recipe) validate() error {
	check := func(what, p string) error {
		if p == "" || path.IsAbs(p) || strings.ContainsAny(p, "\\\x00") || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") {
			return fmt.Errorf("%s path %q is not a clean relative path", what, p)
		}
		return nil
	}
	if err := check("workspace root", r.WorkspaceRoot); err != nil {
		return err
	}
	if r.Layer != "" && r.Layer != LayerDependencies {
		return fmt.Errorf("unknown layer %q (want %q or none)", r.Layer, LayerDependencies)
	}
	var written []string
	for _, f := range r.Files {
		if err := check("file", f.Path); err != nil {
			return err
		}
		if !knownKinds[f.Kind] {
			return fmt.Errorf("file %s has unknown kind %q (want one of manifest, lockfile, config, toolchain, source)", f.Path, f.Kind)
		}
		if _, err := f.Data(); err != nil {
			return fmt.Errorf("file %s: bad base64: %v", f.Path, err)
		}
		written = append(written, f.Path)
	}
	for _, t := range r.Targets {
		if err := check("target", t.Path); err != nil {
			return err
		}
		if _, ok := stubText[t.Stub]; !ok {
			return fmt.Errorf("target %s has unknown stub kind %q", t.Path, t.Stub)
		}
		written = append(written, t.Path)
	}
	for _, p := range r.Packages {
		if err := check("package manifest", p.Manifest); err != nil {
			return err
		}
	}
	return checkNesting(written)
}

var knownKinds = map[string]bool{KindManifest: true, KindLockfile: true, KindConfig: true, KindToolchain: true, KindSource: true}

// checkNesting fails when one path is a parent directory of another.
func checkNesting(paths []string) error {
	sorted := append([]string(nil), paths...)
	sort.Strings(sorted)
	seen := map[string]bool{}
	for _, p := range sorted {
		seen[p] = true
	}
	for _, p := range sorted {
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if seen[dir] {
				return fmt.Errorf("recipe paths conflict: %q is a file, and %q needs it to be a directory", dir, p)
			}
		}
	}
	return nil
}
