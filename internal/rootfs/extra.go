package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/chroot"
	"github.com/berth-dev/berth/internal/fileset"
)

// Extra is a file or a directory tree of the root that the binary needs at
// run time although its ELF headers do not name it: the zone database, an
// init. It is copied from the root at its own path, so that the root's
// package database names its owner.
type Extra struct {
	// Path is the in-root path of a file or a directory.
	Path string
	// Package is the Debian package that installs Path, named when the
	// root lacks it.
	Package string
	// Skip are the entries right under a directory Path that are left out
	// (duplicates such as the zone database's posix/ and right/).
	Skip []string
	// For says what asked for it, for messages: "--init".
	For string
}

// MissingError is an extra the root does not have: the message names the
// package to install.
type MissingError struct {
	Extra Extra
	Root  string
	Err   error
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s needs %s from the Debian package %s, which %s does not have (%v): install it (apt-get install %s), or leave out %s",
		e.Extra.For, e.Extra.Path, e.Extra.Package, rootName(e.Root), e.Err, e.Extra.Package, e.Extra.For)
}

func (e *MissingError) Unwrap() error { return e.Err }

// CheckExtra reports a MissingError when root has nothing at x.Path, so
// that a missing package stops a build before cargo runs.
func CheckExtra(root string, x Extra) error {
	real, _, err := chroot.Walk(root, x.Path)
	if err == nil {
		_, err = os.Lstat(chroot.HostPath(root, real))
	}
	if err != nil {
		return &MissingError{Extra: x, Root: root, Err: err}
	}
	return nil
}

// addExtra adds x from root: a regular file as addResolved does, a
// directory as a tree whose links stay links when they name a path inside
// it (posixrules -> America/New_York) and are left out otherwise
// (localtime -> /etc/localtime names a file of the build machine).
func addExtra(set *fileset.Set, root string, x Extra) error {
	if err := CheckExtra(root, x); err != nil {
		return err
	}
	real, _, err := chroot.Walk(root, x.Path)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(chroot.HostPath(root, real)); err == nil && !fi.IsDir() {
		return addResolved(set, root, x.Path)
	}
	if real != x.Path {
		if err := set.Add(fileset.File{Path: x.Path, Mode: fs.ModeSymlink | 0o777, Link: real}); err != nil {
			return err
		}
	}
	return addTree(set, root, real, x.Skip)
}

// tree is a directory of a root being added: top is its resolved in-root
// path, skip the entries right under it left out.
type tree struct {
	r         *os.Root
	root, top string
	skip      []string
}

// addTree adds the tree at the resolved in-root directory dir, read
// through an os.Root so that nothing outside root is reached.
func addTree(set *fileset.Set, root, dir string, skip []string) error {
	r, err := os.OpenRoot(chroot.HostPath(root, "/"))
	if err != nil {
		return err
	}
	defer r.Close()
	t := tree{r: r, root: root, top: dir, skip: skip}
	return fs.WalkDir(r.FS(), strings.TrimPrefix(dir, "/"), func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading %s inside %s: %w", dir, rootName(root), err)
		}
		p := "/" + name
		if t.skipped(p) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		f, keep, err := t.entry(p, d)
		if err != nil || !keep {
			return err
		}
		return set.Add(f)
	})
}

// skipped reports whether the in-root path p is in a left-out entry, or
// outside the tree.
func (t tree) skipped(p string) bool {
	if p == t.top {
		return false
	}
	rel, ok := strings.CutPrefix(p, t.top+"/")
	if !ok {
		return true
	}
	first, _, _ := strings.Cut(rel, "/")
	return slices.Contains(t.skip, first)
}

// entry is the file of the tree's entry p (an in-root path).
func (t tree) entry(p string, d fs.DirEntry) (fileset.File, bool, error) {
	name := strings.TrimPrefix(p, "/")
	switch {
	case d.IsDir():
		return fileset.File{Path: p, Mode: fs.ModeDir | 0o755}, true, nil
	case d.Type()&fs.ModeSymlink != 0:
		target, err := t.r.Readlink(name)
		if err != nil {
			return fileset.File{}, false, err
		}
		// A link out of the tree, or into a left-out part, would dangle.
		if path.IsAbs(target) || t.skipped(path.Join(path.Dir(p), target)) {
			return fileset.File{}, false, nil
		}
		return fileset.File{Path: p, Mode: fs.ModeSymlink | 0o777, Link: target}, true, nil
	case d.Type().IsRegular():
		fi, err := t.r.Lstat(name)
		if err != nil {
			return fileset.File{}, false, err
		}
		return fileset.File{Path: p, Source: chroot.HostPath(t.root, p), Mode: normalPerm(fi.Mode())}, true, nil
	}
	return fileset.File{}, false, errors.New(p + " inside " + rootName(t.root) + " is not a file, directory or symlink")
}
