package pkgdb

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxLinks is how many symlinks one path may cross, as the kernel's ELOOP.
const maxLinks = 40

// resolve returns the canonical path of p inside root, following symlinks
// the way the root's own programs see them: an absolute target starts again
// at root, and ".." never climbs above it. A sysroot whose /lib is a link to
// /usr/lib thus resolves inside the sysroot, never on the build machine.
// internal/elf walks paths the same way (and records the links it crosses);
// the package rules keep both leaves, importing no other internal package.
func resolve(root, p string) (string, error) {
	parts := strings.Split(p, "/")
	cur, links := "/", 0
	for len(parts) > 0 {
		name := parts[0]
		parts = parts[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, name)
		info, err := os.Lstat(hostPath(root, next))
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("resolving %s: more than %d symlinks", p, maxLinks)
		}
		target, err := os.Readlink(hostPath(root, next))
		if err != nil {
			return "", err
		}
		if path.IsAbs(target) {
			cur = "/"
		}
		parts = append(strings.Split(target, "/"), parts...)
	}
	return cur, nil
}

// hostPath is where p inside root is on the build machine.
func hostPath(root, p string) string {
	if root == "" || root == "/" {
		return p
	}
	return filepath.Join(root, p)
}

// readIn reads the file p inside root, following its symlinks inside root.
func readIn(root, p string) ([]byte, error) {
	real, err := resolve(root, p)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(hostPath(root, real))
}
