package recipe

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestDecodeErrors(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"not JSON", "{", "is not a berth recipe (invalid JSON"},
		{"no version", `{"files":[]}`, `no "version" field`},
		{"newer format", `{"version": 99}`, "recipe format 99 is newer than this berth (2); upgrade berth"},
		{"unknown layer", `{"version": 2, "workspace_root": ".", "layer": "os"}`, `unknown layer "os"`},
		{"unknown field", `{"version": 1, "workspace_root": ".", "surprise": 1}`, "corrupt recipe"},
		{"absolute path", `{"version": 1, "workspace_root": ".", "files": [{"path": "/etc/passwd", "kind": "source", "contents": ""}]}`, `"/etc/passwd" is not a clean relative path`},
		{"escaping path", `{"version": 1, "workspace_root": ".", "targets": [{"path": "../x.rs", "stub": "main"}]}`, `"../x.rs" is not a clean relative path`},
		{"bad stub", `{"version": 1, "workspace_root": ".", "targets": [{"path": "x.rs", "stub": "rocket"}]}`, `unknown stub kind "rocket"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("r.json", []byte(c.data))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "recipe.json")
	r := &Recipe{Version: FormatVersion, WorkspaceRoot: "."}
	if err := r.WriteFile(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	// Missing parent directories are made (a Dockerfile's /berth/recipe.json).
	if err := r.WriteFile(context.Background(), filepath.Join(dir, "new", "recipe.json")); err != nil {
		t.Fatalf("writing into a new directory: %v", err)
	}
	if err := r.WriteFile(context.Background(), filepath.Join(dir, "recipe.json", "recipe.json")); err == nil {
		t.Fatal("writing under a regular file succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 || entries[0].Name() != "new" || entries[1].Name() != "recipe.json" {
		t.Errorf("directory holds %v, want only new/ and recipe.json (no temporary files)", entries)
	}
}

// TestInvalidate removes local units and keeps dependencies whose names
// merely start like a local one.
func TestInvalidate(t *testing.T) {
	files := []struct {
		path   string
		remove bool
	}{
		{"debug/.fingerprint/my-app-0123456789abcdef/lib-my_app", true},
		{"debug/.fingerprint/my-app-extra-0123456789abcdef/x", false},
		{"debug/.fingerprint/itoa-0fcf5385a3d91b49/x", false},
		{"debug/deps/libmy_app-3b73542382026f8b.rlib", true},
		{"debug/deps/my_app-ed40b360a2e52127", true},
		{"debug/deps/my_app-ed40b360a2e52127.d", true},
		{"debug/deps/other_bin-b9ec6361c48322a2", true},
		{"debug/deps/libitoa-0fcf5385a3d91b49.rlib", false},
		{"debug/deps/libmy_app_extra-0fcf5385a3d91b49.rlib", false},
		{"debug/build/my-app-008121afd3c0a63b/output", true},
		{"debug/build/proc-macro2-008121afd3c0a63b/output", false},
		{"debug/incremental/my_app-0t0a80ti3n6l6/s", true},
		{"debug/incremental/build_script_build-2fea78mziqmsh/s", true},
		{"debug/my-app", true},
		{"debug/my-app.d", true},
		{"debug/libmy_app.rlib", true},
		{"debug/other-bin", true},
		{"debug/examples/demo-0123abcd", true},
		{"debug/examples/demo", true},
		{"release/.fingerprint/my-app-0123456789abcdef/x", true},
		{"x86_64-unknown-linux-gnu/release/.fingerprint/my-app-0123456789abcdef/x", true},
		{"x86_64-unknown-linux-gnu/release/deps/libitoa-0fcf5385a3d91b49.rlib", false},
		{"x86_64-unknown-linux-gnu/release/my-app", true},
		{"CACHEDIR.TAG", false},
	}
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := Invalidate(dir, []string{"my-app", "my_app", "other-bin", "demo"})
	if err != nil {
		t.Fatal(err)
	}
	if !sort.StringsAreSorted(removed) {
		t.Errorf("removed list is not sorted: %v", removed)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.path)))
		if gone := os.IsNotExist(err); gone != f.remove {
			t.Errorf("%s: removed=%v, want %v", f.path, gone, f.remove)
		}
	}
}

func TestWriteSkeletonStubs(t *testing.T) {
	r, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(layoutsDir, "mixed", "Cargo.toml")})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteSkeleton(r, dir, false); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{"src/main.rs", stubText[StubMain]},
		{"build.rs", stubText[StubMain]},
		{"macros/src/lib.rs", stubText[StubProcMacro]},
		{"ffi/src/lib.rs", stubText[StubLib]},
		{"old/benches/speed.rs", stubText[StubMain]},
		{"old/tests/it.rs", stubText[StubLib]},
	}
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join(dir, c.path))
		if err != nil || string(data) != c.want {
			t.Errorf("%s = %q, %v; want %q", c.path, data, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "old/src/bin/hidden.rs")); err == nil {
		t.Errorf("a stub was written for a file that is not a target")
	}
}
