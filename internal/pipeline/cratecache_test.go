package pipeline

import (
	"encoding/json"
	"errors"
	"github.com/berth-dev/berth/internal/workspace"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
)

func writeProject(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The key changes with everything cargo's resolve reads, and only then.
func TestCratesKey(t *testing.T) {
	base := map[string]string{
		"Cargo.toml":          "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\nlib = { path = \"../lib\" }\n",
		"src/main.rs":         "fn main() {}\n",
		"Cargo.lock":          "version = 3\n",
		"../lib/Cargo.toml":   "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n",
		"../lib/src/lib.rs":   "",
		".cargo/config.toml":  "",
		"../home/config.toml": "",
	}
	bo := cargo.BuildOptions{Package: "app", Bin: "app"}
	tests := []struct {
		name   string
		change func(dir string, bo *cargo.BuildOptions, env *[]string)
		same   bool
		ok     bool
	}{
		{name: "nothing changed", same: true, ok: true},
		{name: "a source edit", same: true, ok: true, change: func(dir string, _ *cargo.BuildOptions, _ *[]string) {
			os.WriteFile(filepath.Join(dir, "src/main.rs"), []byte("fn main() { println!() }\n"), 0o644)
		}},
		{name: "Cargo.lock", ok: true, change: func(dir string, _ *cargo.BuildOptions, _ *[]string) {
			os.WriteFile(filepath.Join(dir, "Cargo.lock"), []byte("version = 4\n"), 0o644)
		}},
		{name: "a path dependency's manifest", ok: true, change: func(dir string, _ *cargo.BuildOptions, _ *[]string) {
			os.WriteFile(filepath.Join(dir, "../lib/Cargo.toml"), []byte("[package]\nname = \"lib\"\nversion = \"0.1.0\"\n[features]\nx = []\n"), 0o644)
		}},
		{name: "the project's cargo config", ok: true, change: func(dir string, _ *cargo.BuildOptions, _ *[]string) {
			os.WriteFile(filepath.Join(dir, ".cargo/config.toml"), []byte("[build]\nrustflags = [\"--cfg\", \"x\"]\n"), 0o644)
		}},
		{name: "CARGO_HOME's config", ok: true, change: func(dir string, _ *cargo.BuildOptions, _ *[]string) {
			os.WriteFile(filepath.Join(dir, "../home/config.toml"), []byte("[net]\noffline = true\n"), 0o644)
		}},
		{name: "a toolchain file appears", ok: true, change: func(dir string, _ *cargo.BuildOptions, _ *[]string) {
			os.WriteFile(filepath.Join(dir, "rust-toolchain.toml"), []byte("[toolchain]\nchannel = \"1.80\"\n"), 0o644)
		}},
		{name: "features", ok: true, change: func(_ string, bo *cargo.BuildOptions, _ *[]string) { bo.Features = []string{"tls"} }},
		{name: "target", ok: true, change: func(_ string, bo *cargo.BuildOptions, _ *[]string) { bo.Target = "aarch64-unknown-linux-gnu" }},
		{name: "RUSTFLAGS", ok: true, change: func(_ string, _ *cargo.BuildOptions, env *[]string) {
			*env = append(*env, "RUSTFLAGS=--cfg tokio_unstable")
		}},
		{name: "an unrelated variable", same: true, ok: true, change: func(_ string, _ *cargo.BuildOptions, env *[]string) {
			*env = append(*env, "TERM=dumb")
		}},
		{name: "no Cargo.lock yet", ok: false, change: func(dir string, _ *cargo.BuildOptions, _ *[]string) {
			os.Remove(filepath.Join(dir, "Cargo.lock"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "app")
			writeProject(t, dir, base)
			env := []string{"CARGO_HOME=" + filepath.Join(root, "home"), "HOME=" + root}
			manifest := filepath.Join(dir, "Cargo.toml")
			before, ok := CratesKey(load(t, manifest), dir, bo, env)
			if !ok {
				t.Fatal("no key for the base project")
			}
			bo2, env2 := bo, append([]string(nil), env...)
			if tt.change != nil {
				tt.change(dir, &bo2, &env2)
			}
			after, ok := CratesKey(load(t, manifest), dir, bo2, env2)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && (after == before) != tt.same {
				t.Errorf("key unchanged: %v, want %v", after == before, tt.same)
			}
		})
	}
}

func TestCrateCache(t *testing.T) {
	want := []audit.Crate{{Name: "app", Version: "0.1.0", Source: "local", Root: true, Deps: []int{1}}, {Name: "serde", Version: "1.0.0", Source: "crates.io", License: "MIT"}}
	c := &CrateCache{Dir: t.TempDir()}
	runs := 0
	list := func() ([]audit.Crate, error) { runs++; return want, nil }
	for i := 0; i < 2; i++ {
		got, err := c.Crates("k", list)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("pass %d: %v, %v", i, got, err)
		}
	}
	if runs != 1 {
		t.Errorf("cargo metadata ran %d times, want once", runs)
	}
	// A damaged entry is a miss; an error is returned and nothing stored.
	os.WriteFile(filepath.Join(c.Dir, "k"), []byte(`{"version":1,"crates":[`+"\n"), 0o644)
	if _, err := c.Crates("k", list); err != nil || runs != 2 {
		t.Errorf("damaged entry: runs %d, err %v", runs, err)
	}
	boom := errors.New("boom")
	if _, err := c.Crates("other", func() ([]audit.Crate, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "other")); err == nil {
		t.Error("a failed listing was stored")
	}
	var off *CrateCache
	if _, err := off.Crates("k", list); err != nil || runs != 3 {
		t.Errorf("nil cache: runs %d, err %v", runs, err)
	}
}

// TestCrateCacheEditedEntry: an entry edited in the cache, whether it
// still looks like a list or not, is a miss: cargo metadata's list is what
// reaches the SBOM and .dep-v0, and it is stored again.
func TestCrateCacheEditedEntry(t *testing.T) {
	want := []audit.Crate{{Name: "app", Version: "0.1.0", Source: "local", Root: true, Deps: []int{1}}, {Name: "serde", Version: "1.0.0", Source: "crates.io", License: "MIT"}}
	tests := []struct {
		name string
		edit func(v string) string
	}{
		{"a version changed", func(v string) string { return strings.Replace(v, `"1.0.0"`, `"1.0.9"`, 1) }},
		{"a license changed", func(v string) string { return strings.Replace(v, `"MIT"`, `"Apache-2.0"`, 1) }},
		{"an index out of range", func(v string) string { return strings.Replace(v, `[1]`, `[7]`, 1) }},
		{"a name with a newline, sum recomputed", func(v string) string {
			bad := []audit.Crate{want[0], {Name: "serde\nx", Version: "1.0.0", Source: "crates.io"}}
			data, _ := json.Marshal(cratesEntry{Version: cratesEntryVersion, Crates: bad, Sum: cratesSum("k", bad)})
			return string(data)
		}},
		{"another key's entry", func(string) string {
			data, _ := json.Marshal(cratesEntry{Version: cratesEntryVersion, Crates: want[:1], Sum: cratesSum("other", want[:1])})
			return string(data)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &CrateCache{Dir: t.TempDir()}
			runs := 0
			list := func() ([]audit.Crate, error) { runs++; return want, nil }
			if _, err := c.Crates("k", list); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(c.Dir, "k")
			v, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := tt.edit(string(v))
			if edited == string(v) {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := c.Crates("k", list)
			if err != nil || !reflect.DeepEqual(got, want) || runs != 2 {
				t.Errorf("edited entry: got %+v (runs %d, err %v), want cargo's list again", got, runs, err)
			}
		})
	}
}

// load reads the project as Prepare does; nil when the reader refuses it.
func load(t *testing.T, manifest string) *workspace.Project {
	t.Helper()
	ws, err := workspace.Load(manifest)
	if err != nil {
		return nil
	}
	return ws
}
