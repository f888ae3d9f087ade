package chroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// MaxLinks matches the kernel's limit on symlinks followed in one lookup.
const MaxLinks = 40

// ErrLoop is wrapped by the error of a path that crosses more than MaxLinks
// symlinks: a loop, most likely. It matches syscall.ELOOP with errors.Is.
var ErrLoop = fmt.Errorf("more than %d symbolic links (a loop?): %w", MaxLinks, syscall.ELOOP)

// Link is one symlink crossed: its in-root path and its target exactly as
// stored (relative or absolute).
type Link struct {
	Path   string
	Target string
}

// HostPath is where the in-root path p is on the build machine; root ""
// means "/".
func HostPath(root, p string) string {
	if root == "" {
		root = "/"
	}
	return filepath.Join(root, filepath.FromSlash(p))
}

// Walk resolves the absolute path p inside root as the kernel would inside
// a chroot: an absolute link target starts again at root and ".." stops at
// root, so no link, however written, reaches a file outside root. It
// returns the resolved path, free of links, and every symlink crossed,
// directories included (/lib -> usr/lib on merged-/usr systems).
func Walk(root, p string) (string, []Link, error) {
	if !path.IsAbs(p) {
		return "", nil, fmt.Errorf("path %q is not absolute", p)
	}
	rest := split(p)
	cur, hops := "/", 0
	var links []Link
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		fi, err := os.Lstat(HostPath(root, next))
		if err != nil {
			return "", nil, notFound(p, next, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if len(rest) > 0 && !fi.IsDir() {
				return "", nil, fmt.Errorf("%s: %w (%s is not a directory)", p, fs.ErrNotExist, next)
			}
			cur = next
			continue
		}
		if hops++; hops > MaxLinks {
			return "", nil, fmt.Errorf("resolving %s: %w", p, ErrLoop)
		}
		target, err := os.Readlink(HostPath(root, next))
		if err != nil {
			return "", nil, err
		}
		links = appendLink(links, Link{Path: next, Target: target})
		if path.IsAbs(target) {
			cur = "/"
		}
		rest = append(split(target), rest...)
	}
	return cur, links, nil
}

// Resolve is Walk without the links crossed.
func Resolve(root, p string) (string, error) {
	real, _, err := Walk(root, p)
	return real, err
}

// notFound keeps the fs.ErrNotExist of a missing component, naming which.
func notFound(p, component string, err error) error {
	if errors.Is(err, fs.ErrNotExist) && p != component {
		return fmt.Errorf("%s: %w (no %s)", p, fs.ErrNotExist, component)
	}
	return err
}

func split(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

func appendLink(links []Link, l Link) []Link {
	for _, have := range links {
		if have == l {
			return links
		}
	}
	return append(links, l)
}

// Regular resolves p inside root and requires a regular file at the end. It
// returns the resolved in-root path, its host path, its mode and the links
// crossed. The file is checked through an os.Root: were a component swapped
// for a link leaving root after the walk, it is refused, not followed.
func Regular(root, p string) (real, host string, mode fs.FileMode, links []Link, err error) {
	real, links, err = Walk(root, p)
	if err != nil {
		return "", "", 0, nil, err
	}
	host = HostPath(root, real)
	if root == "" || root == "/" {
		fi, err := os.Stat(host)
		if err != nil {
			return "", "", 0, nil, err
		}
		mode = fi.Mode()
	} else if mode, err = statBeneath(root, real); err != nil {
		return "", "", 0, nil, err
	}
	if !mode.IsRegular() {
		return "", "", 0, nil, fmt.Errorf("%s resolves to %s inside %s, which is not a regular file", p, real, root)
	}
	return real, host, mode, links, nil
}

func statBeneath(root, real string) (fs.FileMode, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	name := strings.TrimPrefix(real, "/")
	if name == "" {
		name = "."
	}
	fi, err := r.Lstat(name)
	if err != nil {
		return 0, fmt.Errorf("%s is no longer a file inside %s: %w", real, root, err)
	}
	return fi.Mode(), nil
}
