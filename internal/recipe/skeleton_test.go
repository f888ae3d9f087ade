package recipe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteSkeletonRefuses covers cook in a directory that is not empty:
// a real project's files and symbolic links that lead out of it. Each case
// also checks that nothing was written and the outside file is unchanged.
func TestWriteSkeletonRefuses(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(t *testing.T, dir, outside string)
		overwrite bool
		wantErr   string // "" means success
	}{
		{"empty dir", func(*testing.T, string, string) {}, false, ""},
		{"real main.rs", func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "src/main.rs"), "fn main() { println!(\"real\"); }\n")
		}, false, "differs from the recipe's skeleton"},
		{"real main.rs, --overwrite", func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "src/main.rs"), "fn main() { println!(\"real\"); }\n")
		}, true, ""},
		{"src is a symlink out", func(t *testing.T, dir, outside string) {
			symlink(t, outside, filepath.Join(dir, "src"))
		}, false, "symbolic link"},
		{"src is a symlink out, --overwrite", func(t *testing.T, dir, outside string) {
			symlink(t, outside, filepath.Join(dir, "src"))
		}, true, "symbolic link"},
		{"Cargo.lock is a symlink out", func(t *testing.T, dir, outside string) {
			symlink(t, filepath.Join(outside, "victim"), filepath.Join(dir, "Cargo.lock"))
		}, true, "symbolic link"},
		{"src is a file", func(t *testing.T, dir, _ string) {
			writeFile(t, filepath.Join(dir, "src"), "x")
		}, true, "not a directory"},
	}
	r := &Recipe{Version: FormatVersion, WorkspaceRoot: ".",
		Files:   []File{newFile("Cargo.toml", KindManifest, []byte("[package]\nname = \"a\"\n")), newFile("Cargo.lock", KindLockfile, []byte("# lock\n"))},
		Targets: []Target{{Package: "a", Name: "a", Kind: "bin", Path: "src/main.rs", Stub: StubMain}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			writeFile(t, filepath.Join(outside, "victim"), "outside")
			c.setup(t, dir, outside)
			err := WriteSkeleton(r, dir, c.overwrite)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("WriteSkeleton: %v", err)
				}
				if data, _ := os.ReadFile(filepath.Join(dir, "src/main.rs")); string(data) != stubText[StubMain] {
					t.Errorf("src/main.rs = %q, want the stub", data)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("WriteSkeleton = %v, want an error containing %q", err, c.wantErr)
			}
			if _, err := os.Lstat(filepath.Join(dir, "Cargo.toml")); err == nil {
				t.Errorf("Cargo.toml was written although the skeleton was refused")
			}
			entries, _ := os.ReadDir(outside)
			if data, _ := os.ReadFile(filepath.Join(outside, "victim")); len(entries) != 1 || string(data) != "outside" {
				t.Errorf("the directory outside was changed: %d entries, victim = %q", len(entries), data)
			}
		})
	}
}

// TestWriteSkeletonIdempotent: cook run twice in its build directory finds
// its own skeleton and writes nothing new.
func TestWriteSkeletonIdempotent(t *testing.T) {
	r, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(layoutsDir, "mixed", "Cargo.toml")})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		if err := WriteSkeleton(r, dir, false); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
}

// TestDecodeRejects: a recipe that would leave a partial skeleton is
// refused as a whole when it is read.
func TestDecodeRejects(t *testing.T) {
	cases := []struct{ name, json, wantErr string }{
		{"NUL in a path", `{"version":1,"workspace_root":".","files":[{"path":"a\u0000b","kind":"source","contents":""}]}`, "not a clean relative path"},
		{"file and directory", `{"version":1,"workspace_root":".","files":[{"path":"zz","kind":"source","contents":""},{"path":"zz/inner","kind":"source","contents":""}]}`, "conflict"},
		{"target under a file", `{"version":1,"workspace_root":".","files":[{"path":"src","kind":"source","contents":""}],"targets":[{"package":"a","name":"a","kind":"bin","path":"src/main.rs","stub":"main"}]}`, "conflict"},
		{"unknown file kind", `{"version":1,"workspace_root":".","files":[{"path":"a","kind":"weird","contents":""}]}`, "unknown kind"},
		{"unknown stub", `{"version":1,"workspace_root":".","targets":[{"package":"a","name":"a","kind":"bin","path":"src/main.rs","stub":"weird"}]}`, "unknown stub kind"},
		{"escape", `{"version":1,"workspace_root":".","files":[{"path":"../x","kind":"source","contents":""}]}`, "not a clean relative path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("recipe.json", []byte(c.json))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("Decode = %v, want an error containing %q", err, c.wantErr)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestRecipeWriteFileReplacesOnlyRecipes: prepare --recipe-path never
// replaces a file that is not a recipe, nor writes through a link.
func TestRecipeWriteFileReplacesOnlyRecipes(t *testing.T) {
	r := &Recipe{Version: FormatVersion, WorkspaceRoot: "."}
	cases := []struct {
		name    string
		setup   func(t *testing.T, p string)
		wantErr string
	}{
		{"absent", func(*testing.T, string) {}, ""},
		{"an earlier recipe", func(t *testing.T, p string) { writeFile(t, p, `{"version":1,"workspace_root":"."}`) }, ""},
		{"a Cargo.toml", func(t *testing.T, p string) { writeFile(t, p, "[package]\nname = \"a\"\n") }, "not a berth recipe"},
		{"a symlink", func(t *testing.T, p string) { symlink(t, filepath.Join(t.TempDir(), "x"), p) }, "not a regular file"},
		{"a directory", func(t *testing.T, p string) { os.Mkdir(p, 0o755) }, "not a regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "recipe.json")
			c.setup(t, p)
			before, _ := os.ReadFile(p)
			err := r.WriteFile(context.Background(), p)
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("WriteFile = %v, want an error containing %q", err, c.wantErr)
			}
			if after, _ := os.ReadFile(p); string(after) != string(before) {
				t.Errorf("the file was changed")
			}
		})
	}
}
