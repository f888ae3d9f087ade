package recipe

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"syscall"
)

// WriteSkeleton writes the recipe's files and a stub at every target path
// into dir. Everything is checked before the first write: no path may pass
// through a symbolic link already in dir (cook never writes outside it),
// and an existing file must already hold the skeleton's bytes unless
// overwrite is set (cook never turns a real project's sources into stubs).
func WriteSkeleton(r *Recipe, dir string, overwrite bool) error {
	writes, err := skeletonFiles(r)
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(writes))
	for p := range writes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var todo []string
	for _, p := range paths {
		same, err := checkSkeletonPath(dir, p, writes[p], overwrite)
		if err != nil {
			return err
		}
		if !same {
			todo = append(todo, p)
		}
	}
	for _, p := range todo {
		if err := writeNoFollow(dir, p, writes[p]); err != nil {
			return fmt.Errorf("writing the skeleton: %w", err)
		}
	}
	return nil
}

// skeletonFiles maps each path the skeleton writes to its bytes.
func skeletonFiles(r *Recipe) (map[string][]byte, error) {
	writes := map[string][]byte{}
	for _, f := range r.Files {
		data, err := f.Data()
		if err != nil {
			return nil, fmt.Errorf("recipe file %s: %w", f.Path, err)
		}
		writes[f.Path] = data
	}
	stubs := map[string]string{}
	for _, t := range r.Targets {
		if _, real := writes[t.Path]; real {
			continue
		}
		// A file shared by several targets gets the stub that suits all.
		if prev, ok := stubs[t.Path]; !ok || t.Stub == StubMain || (prev == StubLib && t.Stub == StubProcMacro) {
			stubs[t.Path] = t.Stub
		}
	}
	for p, kind := range stubs {
		writes[p] = []byte(stubText[kind])
	}
	return writes, nil
}

// checkSkeletonPath checks that rel can be written under dir without
// following a symbolic link, and reports whether it already holds data.
func checkSkeletonPath(dir, rel string, data []byte, overwrite bool) (bool, error) {
	cur := dir
	parts := splitPath(rel)
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		info, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("checking %s: %w", cur, err)
		}
		last := i == len(parts)-1
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return false, fmt.Errorf("cook will not write %s: %s is a symbolic link, and cook never writes through one (it could lead outside %s); run cook in an empty build directory", rel, cur, dir)
		case !last && !info.IsDir():
			return false, fmt.Errorf("cook cannot write %s: %s is not a directory; run cook in an empty build directory", rel, cur)
		case last && !info.Mode().IsRegular():
			return false, fmt.Errorf("cook cannot write %s: %s exists and is not a regular file; run cook in an empty build directory", rel, cur)
		}
	}
	old, err := os.ReadFile(cur)
	if err != nil {
		return false, fmt.Errorf("checking %s: %w", cur, err)
	}
	if bytes.Equal(old, data) {
		return true, nil
	}
	if !overwrite {
		return false, fmt.Errorf("cook would overwrite %s, whose content differs from the recipe's skeleton: cook belongs in an empty build directory "+
			"(a Dockerfile's WORKDIR), not in your project; pass --overwrite if replacing the files under %s is really what you want", cur, dir)
	}
	return false, nil
}

// writeNoFollow creates rel's parent directories and writes the file,
// refusing a symbolic link at the last component (O_NOFOLLOW) should one
// appear after the check.
func writeNoFollow(dir, rel string, data []byte) error {
	full := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func splitPath(rel string) []string {
	var parts []string
	for p := rel; p != "."; p = path.Dir(p) {
		parts = append([]string{path.Base(p)}, parts...)
	}
	return parts
}
