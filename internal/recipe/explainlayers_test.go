package recipe

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExplainLayers: --explain names the layer a change invalidates.
func TestExplainLayers(t *testing.T) {
	base, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(layoutsDir, "virtual", "Cargo.toml"), Select: Selection{Bin: "app"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, add, want string }{
		{"member feature", "\n[features]\nextra = []\n", "the workspace layer only"},
		{"third-party crate", "\n[dependencies.fnv]\nversion = \"1\"\n", "the dependency layer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			changed := *roundTrip(t, base)
			changed.Files = slices.Clone(changed.Files)
			for i, f := range changed.Files {
				if f.Path == "crates/app/Cargo.toml" {
					changed.Files[i] = newFile(f.Path, f.Kind, []byte(f.Contents+c.add))
				}
			}
			got := strings.Join(ExplainLayers(base, &changed), "\n")
			if !strings.Contains(got, "invalidates: "+c.want) {
				t.Errorf("ExplainLayers said %q, want %q", got, c.want)
			}
		})
	}
}
