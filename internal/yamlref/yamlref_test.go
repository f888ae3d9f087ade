package yamlref

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// images are the references the golden files resolve to.
var images = map[string]string{
	"api":           "registry.example/team/api@sha256:" + strings.Repeat("a", 64),
	"tools/sidecar": "registry.example/team/sidecar@sha256:" + strings.Repeat("b", 64),
	"worker":        "registry.example/team/worker@sha256:" + strings.Repeat("c", 64),
}

func TestReplaceGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		refs []string // file:line key
	}{
		{"multidoc.yaml", []string{"11 api", "14 tools/sidecar", "23 api", "34 worker", "37 worker", "38 worker"}},
		{"none.yaml", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			in := filepath.Join("testdata", tc.file)
			files, err := Load(in, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range files[0].Refs() {
				got = append(got, strings.TrimPrefix(r.Pos(), in+":")+" "+r.Key())
			}
			if strings.Join(got, ",") != strings.Join(tc.refs, ",") {
				t.Errorf("refs = %v, want %v", got, tc.refs)
			}
			out, err := files[0].Replace(images)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(in, ".yaml")+".golden", out)
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n%s", path, got)
	}
}

// TestOnlyReferencesChange checks the golden output against the input line
// by line: every line without a reference is byte for byte the same.
func TestOnlyReferencesChange(t *testing.T) {
	in, _ := os.ReadFile("testdata/multidoc.yaml")
	out, _ := os.ReadFile("testdata/multidoc.golden")
	a, b := strings.Split(string(in), "\n"), strings.Split(string(out), "\n")
	if len(a) != len(b) {
		t.Fatalf("%d lines in, %d out", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] && !strings.Contains(a[i], Scheme) {
			t.Errorf("line %d changed: %q -> %q", i+1, a[i], b[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"two slashes", "image: berth://a/b/c\n", "x.yaml:1: \"berth://a/b/c\" is not a reference to a binary"},
		{"empty", "a: 1\nimage: berth://\n", "x.yaml:2: \"berth://\" is not a reference"},
		{"escaped", "image: \"berth://\\x61pi\"\n", "x.yaml:1: berth://api is written in a form berth cannot replace"},
		{"folded", "image: >-\n  berth://api\n", "x.yaml:1: berth://api is written in a form"},
		{"bad yaml", "a: [\n", "reading x.yaml:"},
		{"no image", "image: berth://nope\n", "x.yaml:1: no image for berth://nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("x.yaml", []byte(tc.yaml))
			if err == nil {
				_, err = f.Replace(images)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"b.yml": "image: berth://b\n", "a.yaml": "image: berth://a", "c.txt": "image: berth://c\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var parts [][]byte
	for _, f := range files {
		out, err := f.Replace(map[string]string{"a": "r/a@x", "b": "r/b@y"})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, out)
	}
	if got, want := string(Join(parts)), "image: r/a@x\n---\nimage: r/b@y\n"; got != want {
		t.Errorf("joined = %q, want %q", got, want)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), nil); err == nil {
		t.Error("a missing file loaded")
	}
	stdin, err := Load("-", strings.NewReader("x: berth://s\n"))
	if err != nil || len(stdin) != 1 || stdin[0].Refs()[0].Pos() != "<stdin>:1" {
		t.Errorf("stdin: %v %v", stdin, err)
	}
}
