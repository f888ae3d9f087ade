package recipe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/workspace"
)

// TestPlannerInputs is the contract of a planner that copies only the
// Inputs: for every layout, by every manifest berth may be pointed at, the
// recipe made from the inputs alone (targets assumed) is byte for byte the
// recipe of the whole project. Without the assumed targets it is not: the
// control proves the comparison can fail.
func TestPlannerInputs(t *testing.T) {
	for _, manifest := range []string{
		"single/Cargo.toml", "virtual/Cargo.toml", "virtual/crates/app/Cargo.toml", "mixed/Cargo.toml",
		"mixed/old/Cargo.toml", "patched/app/Cargo.toml", "globs/Cargo.toml", "patchmember/Cargo.toml",
	} {
		t.Run(manifest, func(t *testing.T) {
			full := filepath.Join(layoutsDir, manifest)
			ws, err := workspace.Load(full)
			if err != nil {
				t.Fatal(err)
			}
			want := encode(t, prepareLayout(t, filepath.Dir(full), "."))
			in := PlannerInputs(ws)
			if len(in.Targets) == 0 || !containsSuffix(in.Files, "Cargo.toml") {
				t.Fatalf("inputs %+v lack manifests or targets", in)
			}
			ctx := copyInputs(t, ws.ContextDir(), in)
			rel, err := filepath.Rel(ws.ContextDir(), ws.WorkspaceRoot)
			if err != nil {
				t.Fatal(err)
			}
			start, _ := filepath.Abs(full)
			startRel, _ := filepath.Rel(ws.ContextDir(), start)
			var assume []string
			for _, tg := range in.Targets {
				assume = append(assume, filepath.Join(ctx, tg))
			}
			got, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(ctx, startRel), Assume: assume})
			if err != nil {
				t.Fatalf("prepare on the inputs of %s (workspace %s): %v", manifest, rel, err)
			}
			if g := encode(t, got); string(g) != string(want) {
				t.Errorf("the inputs' recipe differs from the project's:\n%s", strings.Join(Explain(mustDecode(t, want), got), "\n"))
			}
			control, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(ctx, startRel)})
			if err == nil && string(encode(t, control)) == string(want) {
				t.Errorf("without the assumed targets the recipe is the same: the test cannot fail")
			}
		})
	}
}

func containsSuffix(list []string, suffix string) bool {
	for _, s := range list {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

// copyInputs copies the inputs (files and whole directories) from the
// context directory src into a new directory, as a planner's COPY lines do.
func copyInputs(t *testing.T, src string, in Inputs) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "planner")
	for _, f := range in.Files {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range in.Dirs {
		copyTree(t, filepath.Join(src, d), filepath.Join(dst, d), nil)
	}
	return dst
}
