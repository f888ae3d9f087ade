package recipe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRecipe feeds arbitrary bytes to the recipe reader. It must never
// panic, and a recipe it accepts must never write outside the directory
// it is cooked in.
func FuzzRecipe(f *testing.F) {
	f.Add([]byte(`{"version":1,"workspace_root":".","packages":[{"name":"a","manifest":"Cargo.toml"}],"files":[{"path":"Cargo.toml","kind":"manifest","contents":"[package]\nname = \"a\"\n"}],"targets":[{"package":"a","name":"a","kind":"bin","crate_types":["bin"],"path":"src/main.rs","stub":"main"}]}`))
	f.Add([]byte(`{"version":1,"workspace_root":".","files":[{"path":"../escape","kind":"source","contents":"x"}]}`))
	f.Add([]byte(`{"version":1,"workspace_root":".","files":[{"path":"zz","kind":"source","contents":""},{"path":"zz/inner","kind":"source","contents":""}]}`))
	f.Add([]byte(`{"version":1,"workspace_root":".","files":[{"path":"a\u0000b","kind":"source","contents":""}]}`))
	f.Add([]byte(`{"version":1,"workspace_root":".","files":[{"path":"bin","kind":"source","contents":"AA==","base64":true}],"targets":[{"path":"/abs","stub":"lib"}]}`))
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, g := range golden {
		data, err := os.ReadFile(g)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode("fuzz.json", data)
		if err != nil {
			return
		}
		checkContained(t, r)
	})
}

// FuzzWorkspace feeds an arbitrary root Cargo.toml (with one member that
// stays fixed) to the workspace reader, through prepare. It must never
// panic, and a recipe it yields must survive encoding and never write
// outside the directory it is cooked in.
func FuzzWorkspace(f *testing.F) {
	f.Add("[package]\nname = \"a\"\nversion = \"0.1.0\"\n")
	f.Add("[workspace]\nmembers = [\"m\"]\n")
	f.Add("[workspace]\nmembers = [\"../../m\", \"m\"]\n")
	f.Add("[package]\nname = \"a\"\nversion = \"1.0.0\"\n[[bin]]\nname = \"x\"\npath = \"../../x.rs\"\n[dependencies]\nm = { path = \"m\" }\n")
	f.Add("[package]\nname = \"a\"\nbuild = \"/etc/passwd\"\n[lib]\npath = \"src/\\u0000.rs\"\n")
	f.Fuzz(func(t *testing.T, manifest string) {
		if strings.Contains(manifest, "*") {
			// A member glob may walk the whole host file system: slow,
			// and not what this fuzzer is after.
			return
		}
		dir := filepath.Join(t.TempDir(), "ws")
		for p, data := range map[string]string{
			"Cargo.toml":   manifest,
			"src/main.rs":  "fn main() {}\n",
			"m/Cargo.toml": "[package]\nname = \"m\"\nversion = \"0.1.0\"\n",
			"m/src/lib.rs": "",
		} {
			writeFile(t, filepath.Join(dir, p), data)
		}
		r, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(dir, "Cargo.toml")})
		if err != nil {
			return
		}
		data, err := r.Encode()
		if err != nil {
			t.Fatalf("an accepted workspace gives a recipe that cannot be encoded: %v", err)
		}
		back, err := Decode("prepared.json", data)
		if err != nil {
			// prepare may meet a path a recipe cannot hold: it must then
			// be refused here, never written.
			return
		}
		checkContained(t, back)
	})
}

// checkContained cooks r's skeleton into a directory and fails when
// anything appears outside it.
func checkContained(t *testing.T, r *Recipe) {
	t.Helper()
	base := t.TempDir()
	cook := filepath.Join(base, "cook", "here")
	if err := os.MkdirAll(cook, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = WriteSkeleton(r, cook, false)
	err := filepath.Walk(base, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p != base && p != filepath.Dir(cook) && p != cook && !strings.HasPrefix(p, cook+string(filepath.Separator)) {
			t.Errorf("the recipe wrote %s, outside %s", p, cook)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
