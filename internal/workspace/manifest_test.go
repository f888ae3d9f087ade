package workspace_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/workspace"
)

// writeTree creates files (path → contents) under a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"malformed TOML", map[string]string{
			"Cargo.toml": "[package]\nname = \"x\"\nversion = \"1.0.0\"\n\n[dependencies]\nserde = { version = \"1\" \n",
		}, []string{"Cargo.toml:6:", "invalid TOML", `"dependencies.serde"`}},
		{"malformed member", map[string]string{
			"Cargo.toml":   "[workspace]\nmembers = [\"a\"]\n",
			"a/Cargo.toml": "[package]\nname = \"a\"\nversion = = 1\n",
			"a/src/lib.rs": "",
		}, []string{"a/Cargo.toml:3:", "version"}},
		{"glob matches nothing", map[string]string{
			"Cargo.toml": "[workspace]\nmembers = [\"crates/*\"]\n",
		}, []string{`workspace.members entry "crates/*" matches no directory`}},
		{"missing path dependency", map[string]string{
			"Cargo.toml":  "[package]\nname = \"x\"\nversion = \"1.0.0\"\n[dependencies]\ngone = { path = \"../gone\" }\n",
			"src/main.rs": "fn main() {}",
		}, []string{"gone", "has no Cargo.toml", "fix the path"}},
		{"missing lib file", map[string]string{
			"Cargo.toml": "[package]\nname = \"x\"\nversion = \"1.0.0\"\n[lib]\nname = \"x\"\n",
		}, []string{`can't find library "x"`}},
		{"no name", map[string]string{
			"Cargo.toml": "[package]\nversion = \"1.0.0\"\n",
		}, []string{"package.name is missing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			_, err := workspace.Load(filepath.Join(dir, "Cargo.toml"))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestDiscoverTargets covers cargo's discovery rules that the fixtures
// compared with cargo metadata do not.
func TestDiscoverTargets(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string // kind:name:path, in discovery order
	}{
		{"defaults", map[string]string{
			"Cargo.toml": "[package]\nname = \"my-pkg\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
			"src/lib.rs": "", "src/main.rs": "", "src/bin/a.rs": "", "src/bin/b/main.rs": "",
			"src/bin/notes.txt": "", "examples/e.rs": "", "tests/t.rs": "", "benches/bb.rs": "", "build.rs": "",
		}, []string{"lib:my_pkg:src/lib.rs", "bin:my-pkg:src/main.rs", "bin:a:src/bin/a.rs", "bin:b:src/bin/b/main.rs",
			"example:e:examples/e.rs", "test:t:tests/t.rs", "bench:bb:benches/bb.rs", "custom-build:build-script-build:build.rs"}},
		{"auto off", map[string]string{
			"Cargo.toml": "[package]\nname = \"p\"\nversion = \"1.0.0\"\nedition = \"2021\"\nautobins = false\nautotests = false\nautolib = false\nbuild = false\n",
			"src/lib.rs": "", "src/main.rs": "", "tests/t.rs": "", "build.rs": "",
		}, nil},
		{"explicit bin by name", map[string]string{
			"Cargo.toml":   "[package]\nname = \"p\"\nversion = \"1.0.0\"\nedition = \"2021\"\n[[bin]]\nname = \"x\"\nrequired-features = [\"f\"]\n[features]\nf = []\n",
			"src/bin/x.rs": "", "src/bin/y.rs": "",
		}, []string{"bin:x:src/bin/x.rs", "bin:y:src/bin/y.rs"}},
		{"2015 explicit bins switch discovery off", map[string]string{
			"Cargo.toml":  "[package]\nname = \"p\"\nversion = \"1.0.0\"\n[[bin]]\nname = \"p\"\n",
			"src/main.rs": "", "src/bin/other.rs": "",
		}, []string{"bin:p:src/main.rs"}},
		{"custom build path", map[string]string{
			"Cargo.toml":   "[package]\nname = \"p\"\nversion = \"1.0.0\"\nbuild = \"tools/gen.rs\"\n",
			"tools/gen.rs": "", "src/lib.rs": "",
		}, []string{"lib:p:src/lib.rs", "custom-build:build-script-build:tools/gen.rs"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			ws, err := workspace.Load(filepath.Join(dir, "Cargo.toml"))
			if err != nil {
				t.Fatal(err)
			}
			got := targetList(dir, ws.Packages[0])
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("targets\n got %v\nwant %v", got, c.want)
			}
		})
	}
}
