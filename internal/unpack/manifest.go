package unpack

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// manifest lists every entry under root: its path, type and mode, and the
// SHA-256 of a file's bytes or a link's target. A cached root is used only
// while it still has exactly this list, so a library edited or removed in
// the cache is found, not shipped (or reported as a missing package).
// Hashing the files again costs a few milliseconds per megabyte: the roots
// hold libraries and a CA bundle, not whole images.
func manifest(root string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum, err := entrySum(p, info)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%q %s %s\n", filepath.ToSlash(rel), info.Mode(), sum)
		return nil
	})
	return b.String(), err
}

func entrySum(p string, info fs.FileInfo) (string, error) {
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		return fmt.Sprintf("-> %q", target), err
	case info.Mode().IsRegular():
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
		return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
	}
	return "-", nil
}

// firstDifference names the first entry two manifests disagree on.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			if a == "" {
				return "unexpected " + b
			}
			return strings.SplitN(a, " ", 2)[0] + " differs or is missing"
		}
	}
	return "none"
}
