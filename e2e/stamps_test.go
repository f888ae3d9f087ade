package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestNoopRebuildReadsNothing: once its files are 2 s old, a rebuild finds
// both layers by their stamps (no tar digest, no compression) and gives the
// same image; after an edit the new binary is read and compressed again.
// Settling takes two rounds: cargo's binary settles, and its .dep-v0 copy,
// made again once that binary is trusted, settles in turn.
func TestNoopRebuildReadsNothing(t *testing.T) {
	offlineCargo(t)
	testenv.RequireCargo(t)
	t.Setenv("BERTH_CACHE_DIR", t.TempDir())
	project := testenv.CopyFixture(t, "two-bins")
	manifest := filepath.Join(project, "Cargo.toml")
	out := filepath.Join(t.TempDir(), "layout")
	build := func() result {
		return mustBerth(t, "build", "--manifest-path", manifest, "--bin", "alpha", "--oci-layout", out, "--timings")
	}
	first := build()
	for range 2 {
		time.Sleep(2100 * time.Millisecond) // the stamps' settling time
		build()                             // records the stamps of what settled
	}
	again := build()
	if digestOf(t, again.stdout) != digestOf(t, first.stdout) {
		t.Errorf("no-op rebuild changed the image: %s, then %s", first.stdout, again.stdout)
	}
	if strings.Contains(again.stderr, "tar digest") || strings.Contains(again.stderr, "compress into") {
		t.Errorf("a no-op rebuild read or compressed a layer:\n%s", again.stderr)
	}
	alpha := filepath.Join(project, "src", "bin", "alpha.rs")
	src, err := os.ReadFile(alpha)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alpha, []byte(strings.Replace(string(src), "fn main() {", "fn main() {\n    println!(\"edited\");", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	edited := build()
	if digestOf(t, edited.stdout) == digestOf(t, first.stdout) || !strings.Contains(edited.stderr, "compress into") {
		t.Errorf("after an edit the image is the same, or its new layer was not compressed:\n%s", edited.stderr)
	}
}
