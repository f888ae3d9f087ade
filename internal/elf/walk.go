package elf

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Link is one symlink an image must reproduce: the in-image path of the link
// and its target exactly as stored (relative or absolute).
type Link struct {
	Path   string
	Target string
}

// maxHops matches the kernel's limit on symlinks followed in one lookup.
const maxHops = 40

// hostPath maps an absolute in-image path to the host path under root.
func hostPath(root, p string) string {
	return filepath.Join(root, filepath.FromSlash(p))
}

// walk resolves the absolute path p inside root as the kernel would inside a
// chroot: absolute link targets restart at root and ".." stops at root. It
// returns the final path and every symlink crossed, directories included
// (e.g. /lib -> usr/lib on merged-/usr systems).
func walk(root, p string) (string, []Link, error) {
	if !path.IsAbs(p) {
		return "", nil, fmt.Errorf("path %q is not absolute", p)
	}
	rest := splitComponents(p)
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
		fi, err := os.Lstat(hostPath(root, next))
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if len(rest) > 0 && !fi.IsDir() {
				return "", nil, fmt.Errorf("%s: %w (%s is not a directory)", p, fs.ErrNotExist, next)
			}
			cur = next
			continue
		}
		if hops++; hops > maxHops {
			return "", nil, fmt.Errorf("%s: too many levels of symbolic links", p)
		}
		target, err := os.Readlink(hostPath(root, next))
		if err != nil {
			return "", nil, err
		}
		links = appendLink(links, Link{Path: next, Target: target})
		if path.IsAbs(target) {
			cur = "/"
		}
		rest = append(splitComponents(target), rest...)
	}
	return cur, links, nil
}

func splitComponents(p string) []string {
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

// regularFile resolves p inside root and requires a regular file at the end.
func regularFile(root, p string) (string, []Link, error) {
	real, links, err := walk(root, p)
	if err != nil {
		return "", nil, err
	}
	fi, err := os.Stat(hostPath(root, real))
	if err != nil {
		return "", nil, err
	}
	if !fi.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%s is not a regular file", p)
	}
	return real, links, nil
}
