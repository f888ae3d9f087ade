package audit

import (
	"bytes"
	"compress/zlib"
	"io"
	"reflect"
	"strings"
	"testing"
)

const reg = "registry+https://github.com/rust-lang/crates.io-index"

func graph() Graph {
	return Graph{Root: "path+file:///app#0.1.0", Packages: []Package{
		{ID: "path+file:///app#0.1.0", Name: "app", Version: "0.1.0", License: "MIT", Deps: []Dep{
			{ID: reg + "#tokio@1.0.0", Normal: true},
			{ID: reg + "#serde@1.0.0", Normal: true},
			{ID: reg + "#cc@1.0.0"},       // build-dependency only
			{ID: reg + "#proptest@1.0.0"}, // dev-dependency only
		}},
		{ID: reg + "#tokio@1.0.0", Name: "tokio", Version: "1.0.0", Source: reg, Deps: []Dep{{ID: reg + "#bytes@1.0.0", Normal: true}}},
		{ID: reg + "#serde@1.0.0", Name: "serde", Version: "1.0.0", Source: reg, Deps: []Dep{{ID: reg + "#bytes@1.0.0", Normal: true}}},
		{ID: reg + "#bytes@1.0.0", Name: "bytes", Version: "1.0.0", Source: reg},
		{ID: reg + "#cc@1.0.0", Name: "cc", Version: "1.0.0", Source: reg},
		{ID: reg + "#proptest@1.0.0", Name: "proptest", Version: "1.0.0", Source: reg, Deps: []Dep{{ID: reg + "#bytes@1.0.0", Normal: true}}},
	}}
}

func TestCrates(t *testing.T) {
	got, err := graph().Crates()
	if err != nil {
		t.Fatal(err)
	}
	want := []Crate{
		{Name: "app", Version: "0.1.0", Source: "local", License: "MIT", Root: true, Deps: []int{2, 3}},
		{Name: "bytes", Version: "1.0.0", Source: "crates.io"},
		{Name: "serde", Version: "1.0.0", Source: "crates.io", Deps: []int{1}},
		{Name: "tokio", Version: "1.0.0", Source: "crates.io", Deps: []int{1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Crates() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestCratesBadGraph(t *testing.T) {
	g := graph()
	g.Root = "missing"
	if _, err := g.Crates(); err == nil {
		t.Error("missing root: want an error")
	}
	g = graph()
	g.Packages[1].Deps = append(g.Packages[1].Deps, Dep{ID: "ghost", Normal: true})
	if _, err := g.Crates(); err == nil {
		t.Error("dangling dependency: want an error")
	}
}

func TestSourceKind(t *testing.T) {
	for id, want := range map[string]string{
		"":                                      "local",
		reg:                                     "crates.io",
		"git+https://example.com/x.git#abc":     "git",
		"registry+https://example.com/index":    "registry",
		"sparse+https://example.com/index/":     "registry",
		"path+file:///src/app":                  "local",
		"directory+file:///usr/share/somewhere": "other",
	} {
		if got := SourceKind(id); got != want {
			t.Errorf("SourceKind(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestSection checks the JSON against cargo-auditable's schema: kind is
// omitted for runtime crates, dependencies when empty, root when false.
func TestSection(t *testing.T) {
	crates, _ := graph().Crates()
	data, err := Section(crates)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Section(crates)
	if !bytes.Equal(data, again) {
		t.Error("two encodings differ")
	}
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(r)
	want := `{"packages":[{"name":"app","version":"0.1.0","source":"local","dependencies":[2,3],"root":true},` +
		`{"name":"bytes","version":"1.0.0","source":"crates.io"},` +
		`{"name":"serde","version":"1.0.0","source":"crates.io","dependencies":[1]},` +
		`{"name":"tokio","version":"1.0.0","source":"crates.io","dependencies":[1]}]}`
	if string(js) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", js, want)
	}
	back, err := ReadSection(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range crates {
		crates[i].License = ""
	}
	if !reflect.DeepEqual(back, crates) {
		t.Errorf("ReadSection = %+v, want %+v", back, crates)
	}
	if _, err := Section([]Crate{{Name: "x", Deps: []int{5}}}); err == nil {
		t.Error("out-of-range dependency: want an error")
	}
	if _, err := ReadSection([]byte("not zlib")); err == nil {
		t.Error("garbage section: want an error")
	}
}

// TestWithLicenses: a list read from a .dep-v0 section gets the licenses
// cargo metadata knows, crate by crate, and only for the same crate.
func TestWithLicenses(t *testing.T) {
	own := []Crate{
		{Name: "app", Version: "0.1.0", Source: "local", Root: true, Deps: []int{1, 2}},
		{Name: "serde", Version: "1.0.1", Source: "crates.io"},
		{Name: "vendored", Version: "0.2.0", Source: "git"},
	}
	known := []Crate{
		{Name: "app", Version: "0.1.0", Source: "local", License: "MIT", Root: true},
		{Name: "serde", Version: "1.0.1", Source: "crates.io", License: "MIT OR Apache-2.0"},
		{Name: "serde", Version: "1.0.2", Source: "crates.io", License: "Apache-2.0"},
		{Name: "vendored", Version: "0.2.0", Source: "crates.io", License: "ISC"},
	}
	got := WithLicenses(own, known)
	want := []string{"MIT", "MIT OR Apache-2.0", ""}
	for i, c := range got {
		if c.License != want[i] || c.Name != own[i].Name || len(c.Deps) != len(own[i].Deps) {
			t.Errorf("crate %d = %+v, want %s with license %q", i, c, own[i].Name, want[i])
		}
	}
	if own[0].License != "" {
		t.Error("WithLicenses changed its input")
	}
}

// TestCheck: a list Graph.Crates makes passes; each edit a cache or a
// binary could carry is refused.
func TestCheck(t *testing.T) {
	good := func() []Crate {
		return []Crate{
			{Name: "app", Version: "0.1.0", Source: "local", License: "MIT", Root: true, Deps: []int{1, 2}},
			{Name: "serde_json", Version: "1.0.87", Source: "crates.io"},
			{Name: "x", Version: "1.0.0-rc.1+build.5", Source: "git"},
		}
	}
	tests := []struct {
		name string
		edit func(c []Crate)
		want string // "" for no error
	}{
		{"as made", func([]Crate) {}, ""},
		{"a name with a space", func(c []Crate) { c[1].Name = "serde json" }, "not a crate name"},
		{"an empty name", func(c []Crate) { c[1].Name = "" }, "not a crate name"},
		{"a version with a quote", func(c []Crate) { c[1].Version = `1.0"` }, "not a semver"},
		{"a version of two parts", func(c []Crate) { c[1].Version = "1.0" }, "not a semver"},
		{"an unknown source", func(c []Crate) { c[1].Source = "https://evil" }, "source"},
		{"a license with a newline", func(c []Crate) { c[0].License = "MIT\nInjected" }, "control character"},
		{"an index out of range", func(c []Crate) { c[0].Deps = []int{1, 3} }, "dependency index 3"},
		{"a negative index", func(c []Crate) { c[0].Deps = []int{-1} }, "dependency index -1"},
		{"its own index", func(c []Crate) { c[0].Deps = []int{0} }, "dependency index 0"},
		{"indices out of order", func(c []Crate) { c[0].Deps = []int{2, 1} }, "out of order"},
		{"no root", func(c []Crate) { c[0].Root = false }, "0 root"},
		{"two roots", func(c []Crate) { c[1].Root = true }, "2 root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.edit(c)
			err := Check(c)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Check = %v, want %q", err, tt.want)
			}
		})
	}
}
