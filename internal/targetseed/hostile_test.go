package targetseed

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const rlib = "release/deps/libfnv-0123abcd.rlib"

// untrustedCases each damage a good seed (seed is its directory, outside a
// directory beside the cache).
var untrustedCases = []struct {
	name    string
	damage  func(t *testing.T, seed, outside string)
	wantErr string
	want    []string // restored files; nil: every seeded file
	skipped int
	corrupt int
}{
	{name: "sound"},
	{name: "truncated file", damage: func(t *testing.T, seed, _ string) {
		must(t, os.WriteFile(filepath.Join(seed, rlib), []byte("rl"), 0o644))
	}, want: without(seededFiles, rlib), corrupt: 1},
	{name: "file not in the manifest", damage: func(t *testing.T, seed, _ string) {
		write(t, seed, map[string]string{"release/deps/libevil-1.rlib": "evil"})
	}, corrupt: 1},
	{name: "symbolic link to a file outside", damage: func(t *testing.T, seed, outside string) {
		must(t, os.Remove(filepath.Join(seed, rlib)))
		must(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(seed, rlib)))
	}, want: without(seededFiles, rlib), skipped: 1},
	{name: "symbolic link to a directory outside", damage: func(t *testing.T, seed, outside string) {
		must(t, os.RemoveAll(filepath.Join(seed, "release/build")))
		must(t, os.Symlink(outside, filepath.Join(seed, "release/build")))
	}, want: without(seededFiles, "release/build/serde-99/build-script-build", "release/build/serde-aa/out/generated.rs"), skipped: 1},
	{name: "files outside the seeded directories", damage: func(t *testing.T, seed, _ string) {
		write(t, seed, map[string]string{"release/app": "x", "evil": "x", "a/b/c/deps/x": "x"})
	}},
	{name: "manifest path escaping", damage: func(t *testing.T, seed, _ string) {
		appendTo(t, filepath.Join(seed, manifestName), "1 "+strings.Repeat("0", 64)+" release/deps/../../../x\n")
	}, wantErr: "malformed"},
	{name: "no marker", damage: func(t *testing.T, seed, _ string) {
		must(t, os.Remove(filepath.Join(seed, markerName)))
	}, wantErr: "incomplete"},
	{name: "no manifest", damage: func(t *testing.T, seed, _ string) {
		must(t, os.Remove(filepath.Join(seed, manifestName)))
	}, wantErr: "no manifest"},
	{name: "seed is a symbolic link", damage: func(t *testing.T, seed, outside string) {
		must(t, os.Rename(seed, filepath.Join(outside, "moved")))
		must(t, os.Symlink(filepath.Join(outside, "moved"), seed))
	}, wantErr: "not a directory"},
	{name: "seed is a file", damage: func(t *testing.T, seed, _ string) {
		must(t, os.RemoveAll(seed))
		must(t, os.WriteFile(seed, nil, 0o644))
	}, wantErr: "not a directory"},
	{name: "empty cache", damage: func(t *testing.T, seed, _ string) {
		must(t, os.RemoveAll(seed))
	}, wantErr: "no seed yet"},
}

// TestRestoreUntrusted: a seed is untrusted input. Each case damages a good
// seed; Restore either uses what is sound in it or none of it (wantErr),
// and never writes outside the target directory nor reads outside the
// cache.
func TestRestoreUntrusted(t *testing.T) {
	for _, c := range untrustedCases {
		t.Run(c.name, func(t *testing.T) {
			cache, outside, target := seedCache(t), t.TempDir(), filepath.Join(t.TempDir(), "target")
			write(t, outside, map[string]string{"secret": "secret", "build-script-build": "not ours"})
			if c.damage != nil {
				c.damage(t, filepath.Join(cache, seedName), outside)
			}
			res, err := Restore(context.Background(), cache, target)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Restore: %v, want an error with %q", err, c.wantErr)
				}
				if got := files(t, target); len(got) != 0 {
					t.Errorf("a refused seed left %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			if want == nil {
				want = seededFiles
			}
			if got := files(t, target); !slices.Equal(got, want) {
				t.Errorf("restored %v, want %v", got, want)
			}
			if len(res.Skipped) != c.skipped || len(res.Corrupt) != c.corrupt {
				t.Errorf("skipped %v, corrupt %v; want %d and %d", res.Skipped, res.Corrupt, c.skipped, c.corrupt)
			}
			if got := files(t, outside); len(got) != 2 && !strings.Contains(strings.Join(got, " "), "moved") {
				t.Errorf("outside now holds %v", got)
			}
		})
	}
}

// TestRestoreKeepsTargetFiles: a file or symbolic link already in the
// target directory stays as it is; the seed's copy is not written through
// it.
func TestRestoreKeepsTargetFiles(t *testing.T) {
	const rlib, dinfo = "release/deps/libfnv-0123abcd.rlib", "release/deps/fnv-0123abcd.d"
	cache, outside, target := seedCache(t), t.TempDir(), t.TempDir()
	write(t, target, map[string]string{rlib: "cargo's own"})
	write(t, outside, map[string]string{"victim": "untouched"})
	must(t, os.Symlink(filepath.Join(outside, "victim"), filepath.Join(target, dinfo)))
	res, err := Restore(context.Background(), cache, target)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kept != 2 || len(res.Files) != len(seededFiles)-2 {
		t.Errorf("kept %d, restored %d; want 2 and %d", res.Kept, len(res.Files), len(seededFiles)-2)
	}
	for p, want := range map[string]string{filepath.Join(target, rlib): "cargo's own", filepath.Join(outside, "victim"): "untouched"} {
		if got, _ := os.ReadFile(p); string(got) != want {
			t.Errorf("%s holds %q, want %q", p, got, want)
		}
	}
	if err := res.Undo(); err != nil {
		t.Fatal(err)
	}
	if got := files(t, target); !slices.Equal(got, []string{rlib}) {
		t.Errorf("after Undo the target holds %v, want cargo's own file alone", got)
	}
}

// TestSaveInterrupted: a save cancelled halfway leaves the previous seed
// whole, and the next save removes what it left.
func TestSaveInterrupted(t *testing.T) {
	cache := seedCache(t)
	target := t.TempDir()
	write(t, target, map[string]string{"release/deps/libnew-1.rlib": "new", "release/.fingerprint/new-1/lib-new": "fp"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	must(t, os.Mkdir(filepath.Join(cache, tmpPrefix+"left-by-a-crash"), 0o755))
	if _, err := Save(ctx, target, cache, nil); err == nil {
		t.Fatal("a cancelled Save succeeded")
	}
	res, err := Restore(context.Background(), cache, t.TempDir())
	if err != nil || len(res.Files) != len(seededFiles) {
		t.Fatalf("after an interrupted save: %v, %d files, want the old seed's %d", err, len(res.Files), len(seededFiles))
	}
	if _, err := Save(context.Background(), target, cache, nil); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 1 {
		t.Errorf("the cache holds %d entries, want the seed alone", len(entries))
	}
}

func TestAllowed(t *testing.T) {
	for _, c := range []struct {
		rel  string
		dir  bool
		want bool
	}{
		{"release", true, true},
		{"release/deps", true, true},
		{"release/deps", false, false},
		{"release/deps/libx.rlib", false, true},
		{"x86_64-unknown-linux-gnu/release/build/x-1/out/a/b.rs", false, true},
		{"deps/x", false, false},
		{"a/b/c/deps/x", false, false},
		{"release/app", false, false},
		{"release/incremental", true, true}, // on the way to <triple>/release/deps
		{"release/incremental/s", false, false},
		{"MANIFEST", false, false},
	} {
		if got := allowed(c.rel, c.dir); got != c.want {
			t.Errorf("allowed(%q, dir %v) = %v, want %v", c.rel, c.dir, got, c.want)
		}
	}
}

// seedCache is a cache directory holding the seed of cargoTarget.
func seedCache(t *testing.T) string {
	t.Helper()
	target, cache := t.TempDir(), t.TempDir()
	write(t, target, cargoTarget)
	if _, err := Save(context.Background(), target, cache, nil); err != nil {
		t.Fatal(err)
	}
	return cache
}

func without(all []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return slices.Contains(drop, s) })
}

func appendTo(t *testing.T, p, line string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString(line)
	must(t, err)
	must(t, f.Close())
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
