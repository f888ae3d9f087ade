package targetseed

import (
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// Units are the units one cargo build used, by the metadata hash cargo
// puts in their file and directory names (libfoo-<hash>.rlib,
// .fingerprint/foo-<hash>, build/foo-<hash>/out). Save keeps these alone,
// so a seed holds what the last build needed, not every version a project
// ever compiled.
type Units map[string]bool

var unitHash = regexp.MustCompile(`-([0-9a-f]{16})$`)

// hashOf is the metadata hash in a unit's file or directory name ("" for
// none).
func hashOf(name string) string {
	stem, _, _ := strings.Cut(name, ".")
	if m := unitHash.FindStringSubmatch(stem); m != nil {
		return m[1]
	}
	return ""
}

// Add records the unit of a file cargo reported (an artifact's file name,
// a build script's OUT_DIR): the hash of its own name or of its parent
// directory's (build/foo-<hash>/build-script-build, build/foo-<hash>/out).
func (u Units) Add(p string) {
	p = filepath.ToSlash(p)
	for _, name := range []string{path.Base(p), path.Base(path.Dir(p))} {
		if h := hashOf(name); h != "" {
			u[h] = true
			return
		}
	}
}

// unitEntry reports whether rel names a unit: an entry directly inside a
// seeded directory (release/deps/libfoo-<hash>.rlib, release/build/foo-<hash>).
func unitEntry(rel string) bool {
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		if seeded[p] {
			return i == len(parts)-2
		}
	}
	return false
}
