package recipe

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func prepareLayout(t *testing.T, dir, workspace string) *Recipe {
	t.Helper()
	r, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(dir, workspace, "Cargo.toml")})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func encode(t *testing.T, r *Recipe) []byte {
	t.Helper()
	data, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPrepareGolden pins each layout's recipe; run with -update to refresh.
func TestPrepareGolden(t *testing.T) {
	for _, c := range contractCases {
		t.Run(c.layout, func(t *testing.T) {
			got := encode(t, prepareLayout(t, filepath.Join(layoutsDir, c.layout), c.workspace))
			again := encode(t, prepareLayout(t, copyLayout(t, c.layout), c.workspace))
			if !bytes.Equal(got, again) {
				t.Errorf("recipe depends on where the workspace is")
			}
			checkGolden(t, filepath.Join("testdata", "golden", c.layout+".json"), got)
		})
	}
}

// TestTrimGolden pins recipes trimmed to one binary and their dependency
// recipes; run with -update to refresh.
func TestTrimGolden(t *testing.T) {
	cases := []struct {
		name, layout, workspace string
		sel                     Selection
	}{
		{"virtual-app", "virtual", ".", Selection{Bin: "app"}},
		{"virtual-tiny", "virtual", ".", Selection{Package: "tiny", NoDefaultFeatures: true}},
		{"mixed-root", "mixed", ".", Selection{Bin: "mixed", NoDefaultFeatures: true}},
		{"mixed-old", "mixed", ".", Selection{Package: "old", Bin: "old"}},
		{"patched-app", "patched", "app", Selection{Bin: "app"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(layoutsDir, c.layout, c.workspace, "Cargo.toml"), Select: c.sel})
			if err != nil {
				t.Fatal(err)
			}
			d, err := Dependencies(roundTrip(t, r))
			if err != nil {
				t.Fatal(err)
			}
			for suffix, data := range map[string][]byte{".json": encode(t, r), ".deps.json": encode(t, d)} {
				checkGolden(t, filepath.Join("testdata", "golden", "trim-"+c.name+suffix), data)
			}
		})
	}
}

func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("recipe differs from %s (run go test -update if the change is intended):\n%s", golden, strings.Join(Explain(mustDecode(t, want), mustDecode(t, got)), "\n"))
	}
}

func mustDecode(t *testing.T, data []byte) *Recipe {
	t.Helper()
	r, err := Decode("golden", data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// replaceIn edits a file of a copied layout.
func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPrepareChanges checks what changes the recipe (and so the dependency
// layer) and what does not, and that Explain names the cause.
func TestPrepareChanges(t *testing.T) {
	type edit struct{ file, old, new string }
	cases := []struct {
		name, layout, workspace string
		edits                   []edit
		explain                 string // "" means the recipe must not change
	}{
		{"version bump", "single", ".", []edit{
			{"Cargo.toml", `version = "1.2.3"`, `version = "1.3.0"`},
			{"Cargo.lock", "name = \"single\"\nversion = \"1.2.3\"", "name = \"single\"\nversion = \"1.3.0\""},
		}, ""},
		{"source edit", "single", ".", []edit{{"src/core/lib.rs", "real", "edited"}}, ""},
		{"workspace version bump", "virtual", ".", []edit{
			{"Cargo.toml", `"3.1.4"`, `"3.2.0"`},
			{"Cargo.lock", `version = "3.1.4"`, `version = "3.2.0"`},
		}, ""},
		{"path dependency version bump", "mixed", ".", []edit{
			{"macros/Cargo.toml", `version = "0.4.0"`, `version = "0.5.0"`},
			{"Cargo.toml", `path = "macros", version = "0.4.0"`, `path = "macros", version = "0.5.0"`},
			{"Cargo.lock", "name = \"macros\"\nversion = \"0.4.0\"", "name = \"macros\"\nversion = \"0.5.0\""},
		}, ""},
		{"outside path dependency bump", "patched", "app", []edit{
			{"shared/common/Cargo.toml", `"5.0.0"`, `"5.1.0"`},
			{"app/Cargo.lock", "name = \"common\"\nversion = \"5.0.0\"", "name = \"common\"\nversion = \"5.1.0\""},
		}, ""},
		{"new dependency", "single", ".", []edit{{"Cargo.toml", `itoa = "1"`, "itoa = \"1\"\nfnv = \"1\""}},
			"Cargo.toml: dependencies.fnv added"},
		{"feature change", "mixed", ".", []edit{{"Cargo.toml", `default = ["fast"]`, `default = []`}},
			"Cargo.toml: features.default"},
		{"profile change", "virtual", ".", []edit{{"Cargo.toml", `opt-level = "s"`, `opt-level = 3`}},
			"Cargo.toml: profile.release.opt-level"},
		{"patched crate edit", "patched", "app", []edit{{"app/vendor/cfg-if/src/lib.rs", "macro_rules!", "macro_rules! "}},
			"app/vendor/cfg-if/src/lib.rs: contents changed"},
		{"patched member edit", "patchmember", ".", []edit{{"cfg-if/src/lib.rs", "macro_rules!", "macro_rules! "}},
			"cfg-if/src/lib.rs: contents changed"},
		{"patched member version bump is not masked", "patchmember", ".", []edit{
			{"cfg-if/Cargo.toml", `version = "1.0.0"`, `version = "1.0.1"`},
			{"Cargo.lock", "name = \"cfg-if\"\nversion = \"1.0.0\"", "name = \"cfg-if\"\nversion = \"1.0.1\""},
		}, "cfg-if/Cargo.toml: contents changed"},
		{"rustflags", "mixed", ".", []edit{{".cargo/config.toml", "berth_flag", "other_flag"}},
			".cargo/config.toml: contents changed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyLayout(t, c.layout)
			before := prepareLayout(t, dir, c.workspace)
			for _, e := range c.edits {
				replaceIn(t, filepath.Join(dir, e.file), e.old, e.new)
			}
			after := prepareLayout(t, dir, c.workspace)
			changed := !bytes.Equal(encode(t, before), encode(t, after))
			why := strings.Join(Explain(before, after), "\n")
			if c.explain == "" {
				if changed {
					t.Errorf("recipe changed, want byte-identical:\n%s", why)
				}
				return
			}
			if !changed || !strings.Contains(why, c.explain) {
				t.Errorf("Explain says:\n%s\nwant a line with %q", why, c.explain)
			}
		})
	}
}

func TestPrepareNewBinaryChangesTargets(t *testing.T) {
	dir := copyLayout(t, "single")
	before := prepareLayout(t, dir, ".")
	if err := os.WriteFile(filepath.Join(dir, "src", "bin", "more.rs"), []byte("fn main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	why := strings.Join(Explain(before, prepareLayout(t, dir, ".")), "\n")
	if !strings.Contains(why, `target added: bin main "more" of single at src/bin/more.rs`) {
		t.Errorf("Explain says:\n%s", why)
	}
}

// TestStale: the stage step's comparison takes a Cargo.lock that the
// recipe lacks as cargo's own (it writes one during the build), while
// prepare --explain reports it; any other change is reported by both.
func TestStale(t *testing.T) {
	dir := copyLayout(t, "single")
	lock := filepath.Join(dir, "Cargo.lock")
	data, err := os.ReadFile(lock)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(t.TempDir(), "recipe.json")
	if err := prepareLayout(t, dir, ".").WriteFile(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lock, data, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := PrepareOptions{ManifestPath: filepath.Join(dir, "Cargo.toml")}
	if lines, err := Stale(old, opts); err != nil || len(lines) != 0 {
		t.Errorf("Stale = %q, %v; want nothing for a generated Cargo.lock", lines, err)
	}
	// The lockfile pins the third-party versions: the dependency layer too.
	if lines, err := ExplainFile(old, opts); err != nil || len(lines) < 2 || lines[0] != "Cargo.lock: added (lockfile)" ||
		!strings.HasPrefix(lines[1], "invalidates: the dependency layer") {
		t.Errorf("ExplainFile = %q, %v; want the added Cargo.lock, and the dependency layer invalidated", lines, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "bin", "new.rs"), []byte("fn main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if lines, err := Stale(old, opts); err != nil || len(lines) != 1 || !strings.Contains(lines[0], "src/bin/new.rs") {
		t.Errorf("Stale = %q, %v; want the new binary", lines, err)
	}
}
