package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestMovedTargetDir: with CARGO_TARGET_DIR set, the default layout goes
// into cargo's target directory (only cargo knows it: cargo metadata
// --no-deps tells), berth's own target directory (.berth) goes into it
// too, and the crate list is still cached: the project berth's
// reader read is kept, so a second build runs no resolve.
func TestMovedTargetDir(t *testing.T) {
	offlineCargo(t)
	t.Setenv("BERTH_CACHE_DIR", t.TempDir())
	target := filepath.Join(t.TempDir(), "elsewhere")
	t.Setenv("CARGO_TARGET_DIR", target)
	project := filepath.Join(t.TempDir(), "hello-service")
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(project, "Cargo.toml")
	mustBerth(t, "build", "--manifest-path", manifest)
	if _, err := os.Stat(filepath.Join(target, "berth", "hello-service", "index.json")); err != nil {
		t.Fatalf("no layout in the moved target directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, ".berth", "release", "hello-service")); err != nil {
		t.Errorf("berth's own target directory did not follow the moved one: %v", err)
	}
	r := mustBerth(t, "build", "--manifest-path", manifest, "--timings")
	if strings.Contains(strings.ReplaceAll(r.stderr, "cargo metadata --no-deps", ""), "cargo metadata") {
		t.Errorf("the second build resolved the crates again:\n%s", r.stderr)
	}
}
