package targetseed

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// seeded are the subdirectories of a profile directory a seed holds: the
// compiled units (deps/), build scripts and their outputs (build/) and
// cargo's fingerprints (.fingerprint/). Nothing else of a target directory
// (uplifted binaries, incremental caches) is copied either way.
var seeded = map[string]bool{"deps": true, "build": true, ".fingerprint": true}

// allowed reports whether rel, a slash-separated path inside a seed or a
// target directory, may be copied: anything under a seeded subdirectory of
// a profile directory one or two levels deep (release/deps/...,
// <triple>/release/build/...), and the directories leading there.
func allowed(rel string, dir bool) bool {
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		if seeded[p] {
			return (i == 1 || i == 2) && (dir || i < len(parts)-1)
		}
	}
	return dir && len(parts) <= 2
}

// copied is what one copy did.
type copied struct {
	// want, when set, are the sums the files must have (a seed's
	// manifest): a file with another or none is not kept.
	want map[string]string
	// units, when set, are the units to copy: another unit's entries are
	// left out.
	units   Units
	sums    map[string]string // the sum of each file written
	files   []string          // regular files written, relative to the destination
	bytes   int64
	kept    int      // files the destination already had, left as they were
	skipped []string // symbolic links and other non-files, not followed
	corrupt []string // files whose sum is not the manifest's, removed again
}

// copyTree copies rel (a directory) from src into dst: directories and
// regular files only, each allowed, each file with its permission bits
// (less setuid and the like) and modification time, which cargo compares
// between a unit and its dependencies. Both roots confine every path; a
// symbolic link is never followed nor made, and no file of dst is
// overwritten.
func copyTree(ctx context.Context, src, dst *os.Root, rel string, c *copied) error {
	d, err := src.Open(rel)
	if err != nil {
		return err
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return fmt.Errorf("reading %s: %w", rel, err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		child := path.Join(rel, e.Name())
		if c.units != nil && unitEntry(child) && !c.units[hashOf(e.Name())] {
			continue
		}
		switch {
		case e.IsDir():
			if !allowed(child, true) {
				continue
			}
			if err := mkdir(dst, child); err != nil {
				return err
			}
			if err := copyTree(ctx, src, dst, child, c); err != nil {
				return err
			}
		case e.Type().IsRegular():
			if allowed(child, false) {
				if err := copyFile(src, dst, child, c); err != nil {
					return err
				}
			}
		default:
			c.skipped = append(c.skipped, child)
		}
	}
	return nil
}

// mkdir makes rel in dst unless it is already a directory there.
func mkdir(dst *os.Root, rel string) error {
	err := dst.Mkdir(rel, 0o755)
	if errors.Is(err, fs.ErrExist) {
		if fi, lerr := dst.Lstat(rel); lerr == nil && fi.IsDir() {
			return nil
		}
		return fmt.Errorf("%s exists and is not a directory", rel)
	}
	return err
}

func copyFile(src, dst *os.Root, rel string, c *copied) error {
	in, err := src.Open(rel)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		c.skipped = append(c.skipped, rel)
		return nil
	}
	out, err := dst.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm()&0o755|0o600)
	if errors.Is(err, fs.ErrExist) {
		c.kept++
		return nil
	}
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	sum := fmt.Sprintf("%d %x", n, h.Sum(nil))
	switch {
	case err != nil:
		_ = dst.Remove(rel)
		return fmt.Errorf("copying %s: %w", rel, err)
	case c.want != nil && c.want[rel] != sum:
		c.corrupt = append(c.corrupt, rel)
		return dst.Remove(rel)
	}
	c.files, c.bytes = append(c.files, rel), c.bytes+n
	if c.sums == nil {
		c.sums = map[string]string{}
	}
	c.sums[rel] = sum
	return dst.Chtimes(rel, fi.ModTime(), fi.ModTime())
}
