package unpack

import (
	"archive/tar"
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func loaderFiles(name string, typ byte) bool {
	return typ != tar.TypeDir && strings.Contains(path.Base(name), ".so")
}

// TestCraftedImages: hostile and odd images give the image's own files or
// a clear error; nothing outside the root changes and nothing is cached on
// error (issue 16, high 1). Each runs from memory and from an OCI layout.
func TestCraftedImages(t *testing.T) {
	out, _ := canary(t) // only its name is needed to write the layers
	tests := []struct {
		name    string
		layers  [][]entry
		want    func(string, byte) bool
		wantErr string
		files   map[string]string // in-root path -> content ("->x": a link to x)
		modes   map[string]os.FileMode
	}{
		{name: "absolute symlink then entries under it",
			layers: [][]entry{{
				{name: "/evil.so", typ: tar.TypeSymlink, link: out},
				{name: "evil.so/victim.so", typ: tar.TypeReg, body: "pwned"},
				{name: "evil.so/ld.so.preload", typ: tar.TypeReg, body: "/evil.so/victim.so"},
			}},
			wantErr: "lies under /evil.so"},
		{name: "absolute symlink then entries under it, loader files only",
			layers: [][]entry{{{name: "/evil.so", typ: tar.TypeSymlink, link: out}}, {{name: "./evil.so/victim.so", typ: tar.TypeReg, body: "pwned"}}},
			want:   loaderFiles, wantErr: "lies under /evil.so"},
		{name: "relative symlink climbing out then an entry under it",
			layers:  [][]entry{{{name: "lib", typ: tar.TypeSymlink, link: "../../../../../../../../" + out}, {name: "lib/victim.so", typ: tar.TypeReg, body: "pwned"}}},
			wantErr: "lies under /lib"},
		{name: "hard link through a symlinked directory",
			layers:  [][]entry{{{name: "d", typ: tar.TypeSymlink, link: out}, {name: "x.so", typ: tar.TypeLink, link: "d/victim.so"}}},
			wantErr: "hard link to /d/victim.so"},
		{name: "a file replaces a symlink of the same name",
			layers: [][]entry{{{name: "lib.so", typ: tar.TypeSymlink, link: out + "/victim.so"}}, {{name: "lib.so", typ: tar.TypeReg, body: "new"}}},
			files:  map[string]string{"lib.so": "new"}},
		{name: "names with .. stay inside",
			layers: [][]entry{{{name: "../../../../x.so", typ: tar.TypeReg, body: "x"}}},
			files:  map[string]string{"x.so": "x"}},
		{name: "hard links and modes",
			layers: [][]entry{{
				{name: "lib64/ld-linux-x86-64.so.2", typ: tar.TypeReg, body: "LD", mode: 0o755},
				{name: "lib/libc.so.6", typ: tar.TypeReg, body: "LIBC"},
				{name: "usr/lib/libc.so.6", typ: tar.TypeLink, link: "lib/libc.so.6"},
			}},
			files: map[string]string{"lib64/ld-linux-x86-64.so.2": "LD", "usr/lib/libc.so.6": "LIBC"},
			modes: map[string]os.FileMode{"lib64/ld-linux-x86-64.so.2": 0o755, "lib/libc.so.6": 0o644}},
		{name: "whiteouts and opaque directories",
			layers: [][]entry{
				{{name: "a.so", typ: tar.TypeReg, body: "a"}, {name: "d/x.so", typ: tar.TypeReg, body: "x"}, {name: "keep.so", typ: tar.TypeReg, body: "k"}},
				{{name: ".wh.a.so", typ: tar.TypeReg}, {name: "d/.wh..wh..opq", typ: tar.TypeReg}, {name: "d/y.so", typ: tar.TypeReg, body: "y"}, {name: "keep.so", typ: tar.TypeSymlink, link: "d/y.so"}},
			},
			files: map[string]string{"d/y.so": "y", "keep.so": "->d/y.so", "a.so": "", "d/x.so": ""}},
	}
	for _, tt := range tests {
		for _, source := range []string{"memory", "layout"} {
			t.Run(tt.name+"/"+source, func(t *testing.T) {
				outside := snapshot(t, out)
				img := imageOf(t, tt.layers...)
				if source == "layout" {
					img = throughLayout(t, img, t.TempDir())
				}
				cache := &Cache{Dir: t.TempDir()}
				root, release, err := cache.Root(context.Background(), img, Options{Want: tt.want})
				if got := snapshot(t, out); got != outside {
					t.Fatalf("outside the root changed:\n%s\nwas\n%s", got, outside)
				}
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want %q", err, tt.wantErr)
					}
					if e := entries(t, cache.Dir); len(e) != 0 {
						t.Errorf("the cache kept %v after a failed extraction", e)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				defer release()
				checkFiles(t, root, tt.files, tt.modes)
			})
		}
	}
}

func checkFiles(t *testing.T, root string, files map[string]string, modes map[string]os.FileMode) {
	t.Helper()
	for p, want := range files {
		full := filepath.Join(root, p)
		if target, ok := strings.CutPrefix(want, "->"); ok {
			if got, err := os.Readlink(full); err != nil || got != target {
				t.Errorf("%s -> %q (%v), want -> %q", p, got, err, target)
			}
			continue
		}
		got, err := os.ReadFile(full)
		if want == "" {
			if err == nil {
				t.Errorf("%s exists, want it removed", p)
			}
			continue
		}
		if err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", p, got, err, want)
		}
	}
	for p, want := range modes {
		if fi, err := os.Lstat(filepath.Join(root, p)); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s mode %v (%v), want %v", p, fi.Mode(), err, want)
		}
	}
}

// TestHardLinkIsOneFile: a hard link is extracted as a link to its target.
func TestHardLinkIsOneFile(t *testing.T) {
	img := imageOf(t, []entry{{name: "a.so", typ: tar.TypeReg, body: "A"}, {name: "b.so", typ: tar.TypeLink, link: "/a.so"}})
	root := t.TempDir()
	if err := Extract(context.Background(), img, root, Options{}); err != nil {
		t.Fatal(err)
	}
	a, errA := os.Stat(filepath.Join(root, "a.so"))
	b, errB := os.Stat(filepath.Join(root, "b.so"))
	if errA != nil || errB != nil || a.Sys().(*syscall.Stat_t).Ino != b.Sys().(*syscall.Stat_t).Ino {
		t.Fatalf("b.so is not a hard link to a.so: %v %v", errA, errB)
	}
}

// TestLimit: an extraction stops at its limit, with an error naming it.
func TestLimit(t *testing.T) {
	img := imageOf(t, []entry{{name: "big.so", typ: tar.TypeReg, body: strings.Repeat("x", 1<<20)}})
	err := Extract(context.Background(), img, t.TempDir(), Options{Limit: 1 << 19})
	if err == nil || !strings.Contains(err.Error(), "bound on what it extracts") {
		t.Fatalf("err = %v, want the limit named", err)
	}
}
