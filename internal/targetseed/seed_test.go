package targetseed

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

var old = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

// write makes files (path → content) under dir, each with mtime old.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// files lists the regular files under dir, slash-separated, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// cargoTarget is a target directory as a cook leaves it: host and --target
// profile directories, and what a seed must not carry.
var cargoTarget = map[string]string{
	"release/deps/libfnv-0123abcd.rlib":         "rlib",
	"release/deps/fnv-0123abcd.d":               "dep-info",
	"release/.fingerprint/fnv-0123abcd/lib-fnv": "fingerprint",
	"release/build/serde-99/build-script-build": "build script",
	"release/build/serde-aa/out/generated.rs":   "generated",
	"release/app":                 "an uplifted binary",
	"release/incremental/app-1/s": "incremental",
	"x86_64-unknown-linux-gnu/release/deps/libx-1.rlib":       "target rlib",
	"x86_64-unknown-linux-gnu/release/.fingerprint/x-1/lib-x": "target fingerprint",
	"CACHEDIR.TAG": "tag",
}

var seededFiles = []string{
	"release/.fingerprint/fnv-0123abcd/lib-fnv",
	"release/build/serde-99/build-script-build",
	"release/build/serde-aa/out/generated.rs",
	"release/deps/fnv-0123abcd.d",
	"release/deps/libfnv-0123abcd.rlib",
	"x86_64-unknown-linux-gnu/release/.fingerprint/x-1/lib-x",
	"x86_64-unknown-linux-gnu/release/deps/libx-1.rlib",
}

func TestSaveRestore(t *testing.T) {
	ctx := context.Background()
	target, cache := filepath.Join(t.TempDir(), "target"), filepath.Join(t.TempDir(), "cache")
	write(t, target, cargoTarget)
	if err := os.Chmod(filepath.Join(target, "release/build/serde-99/build-script-build"), 0o755); err != nil {
		t.Fatal(err)
	}
	saved, err := Save(ctx, target, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Files != len(seededFiles) {
		t.Errorf("saved %d files, want %d", saved.Files, len(seededFiles))
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	res, err := Restore(ctx, cache, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if got := files(t, fresh); !slices.Equal(got, seededFiles) {
		t.Errorf("restored %v, want %v", got, seededFiles)
	}
	if len(res.Files) != len(seededFiles) || len(res.Corrupt)+len(res.Skipped) != 0 {
		t.Errorf("restore reported %+v", res)
	}
	fi, err := os.Stat(filepath.Join(fresh, "release/build/serde-99/build-script-build"))
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(old) || fi.Mode().Perm() != 0o755 {
		t.Errorf("build script restored with mtime %v mode %v, want %v 0755", fi.ModTime(), fi.Mode(), old)
	}
	// A second save replaces the seed whole: a unit gone from the target
	// directory is gone from the seed.
	if err := os.Remove(filepath.Join(target, "release/deps/fnv-0123abcd.d")); err != nil {
		t.Fatal(err)
	}
	if _, err := Save(ctx, target, cache, nil); err != nil {
		t.Fatal(err)
	}
	if got := files(t, filepath.Join(cache, seedName)); slices.Contains(got, "release/deps/fnv-0123abcd.d") || len(got) != len(seededFiles)+1 {
		t.Errorf("the second seed holds %v", got)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 1 {
		t.Errorf("the cache holds %d entries after two saves, want the seed alone", len(entries))
	}
}
