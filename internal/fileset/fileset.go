package fileset

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// File is one entry of a root filesystem. Exactly one of Source, Data, Link or
// a directory mode describes its content.
type File struct {
	// Path is absolute and clean, as seen inside the image ("/etc/passwd").
	Path string
	// Mode holds the permission bits and, for non-regular files, fs.ModeDir
	// or fs.ModeSymlink.
	Mode fs.FileMode
	// Source is a host file whose bytes become the content of a regular file.
	Source string
	// Data is the content of a regular file when Source is empty.
	Data []byte
	// Link is the target of a symlink.
	Link string
	// UID and GID own the entry; 0 (root) unless set, like every file berth
	// writes but the nonroot user's home.
	UID, GID int
}

// IsDir reports whether f is a directory.
func (f File) IsDir() bool { return f.Mode&fs.ModeDir != 0 }

// IsSymlink reports whether f is a symbolic link.
func (f File) IsSymlink() bool { return f.Mode&fs.ModeSymlink != 0 }

// Set is a list of files keyed by path; the zero value is empty and ready.
type Set struct {
	files map[string]File
	// under maps each parent directory of a path in files to one such path.
	under map[string]string
}

// Add puts f into the set. Adding the same path twice with identical content
// is a no-op; with different content it is an error, because the two callers
// disagree about what the image holds.
func (s *Set) Add(f File) error {
	if !path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || f.Path == "/" {
		return fmt.Errorf("file path %q must be absolute, clean and not the root", f.Path)
	}
	if s.files == nil {
		s.files, s.under = map[string]File{}, map[string]string{}
	}
	if old, ok := s.files[f.Path]; ok {
		if same(old, f) {
			return nil
		}
		return fmt.Errorf("two different files for %s (from %q and %q)", f.Path, describe(old), describe(f))
	}
	if err := s.checkParents(f); err != nil {
		return err
	}
	s.files[f.Path] = f
	for dir := path.Dir(f.Path); dir != "/"; dir = path.Dir(dir) {
		if _, ok := s.under[dir]; !ok {
			s.under[dir] = f.Path
		}
	}
	return nil
}

// checkParents refuses f when a parent of its path is a file or a symlink
// in the set, or when f is not a directory but a path in the set is under
// it: a layer cannot hold both, and one written anyway is refused by
// `docker load` or writes through a link.
func (s *Set) checkParents(f File) error {
	for dir := path.Dir(f.Path); dir != "/"; dir = path.Dir(dir) {
		if p, ok := s.files[dir]; ok && !p.IsDir() {
			return fmt.Errorf("%s (from %q) cannot be under %s, which is not a directory (from %q)", f.Path, describe(f), dir, describe(p))
		}
	}
	if child, ok := s.under[f.Path]; ok && !f.IsDir() {
		return fmt.Errorf("%s (from %q) is not a directory, but the image needs %s under it (from %q)", f.Path, describe(f), child, describe(s.files[child]))
	}
	return nil
}

// Has reports whether the set holds p.
func (s *Set) Has(p string) bool { _, ok := s.files[p]; return ok }

// Len is the number of files in the set.
func (s *Set) Len() int { return len(s.files) }

// Files returns every file, parent directories implied by a path included
// (mode 0755), sorted by path so that output built from it is deterministic.
func (s *Set) Files() []File {
	all := map[string]File{}
	for p, f := range s.files {
		all[p] = f
		for dir := path.Dir(p); dir != "/"; dir = path.Dir(dir) {
			if _, ok := all[dir]; !ok {
				if _, explicit := s.files[dir]; !explicit {
					all[dir] = File{Path: dir, Mode: fs.ModeDir | 0o755}
				}
			}
		}
	}
	out := make([]File, 0, len(all))
	for _, f := range all {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func same(a, b File) bool {
	return a.Mode == b.Mode && a.Source == b.Source && string(a.Data) == string(b.Data) && a.Link == b.Link && a.UID == b.UID && a.GID == b.GID
}

func describe(f File) string {
	switch {
	case f.IsDir():
		return "directory"
	case f.IsSymlink():
		return "symlink to " + f.Link
	case f.Source != "":
		return f.Source
	default:
		return strings.TrimSpace(fmt.Sprintf("%d bytes of generated content", len(f.Data)))
	}
}
