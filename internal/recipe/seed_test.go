package recipe

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCookTargetCache: with real cargo, the dependency layer cooked with a
// target cache, then, after a new third-party dependency, cooked again from
// an empty target directory at the same path (Docker runs the layer again)
// compiles the new crate alone: registry crates copied back with their
// mtimes are fresh to cargo. TestSingleLayerRecompiles and the e2e test's
// empty cache are the control: without the seed every crate compiles.
func TestCookTargetCache(t *testing.T) {
	env, runner, ctx := churnSetup(t)
	_, deps, _, _ := prepareChurn(t, ctx)
	seed, work := filepath.Join(t.TempDir(), "cache"), filepath.Join(t.TempDir(), "app")
	got, log := cookSeeded(t, env, deps, work, seed)
	if len(got) < 9 || !strings.Contains(log, "no seed yet") || !strings.Contains(log, "cook: saved ") {
		t.Fatalf("the cold cook compiled %v; want every third-party crate, from no seed, then saved; log:\n%s", got, log)
	}
	e := churnEdits[len(churnEdits)-1]
	edited := snapshot(t, ctx)
	replaceOnce(t, filepath.Join(edited, e.file), e.old, e.new)
	if err := runner.Run(context.Background(), edited, "update", "-w", "--offline"); err != nil {
		t.Fatal(err)
	}
	_, deps1, _, _ := prepareChurn(t, edited)
	if err := os.RemoveAll(work); err != nil {
		t.Fatal(err)
	}
	got, log = cookSeeded(t, env, deps1, work, seed)
	if !slices.Equal(got, e.brings) || !strings.Contains(log, "cook: seeded ") {
		t.Errorf("after the %s the seeded cook compiled %v, want %v alone; log:\n%s", e.name, got, e.brings, log)
	}
	// A dependency dropped: the seed keeps the units the last cook used,
	// not every crate the project ever had.
	replaceOnce(t, filepath.Join(edited, "crates/core/Cargo.toml"), "fnv = \"1\"\n", "")
	if err := runner.Run(context.Background(), edited, "update", "-w", "--offline"); err != nil {
		t.Fatal(err)
	}
	_, deps2, _, _ := prepareChurn(t, edited)
	if err := os.RemoveAll(work); err != nil {
		t.Fatal(err)
	}
	if got, log = cookSeeded(t, env, deps2, work, seed); len(got) != 0 {
		t.Errorf("after dropping fnv the seeded cook compiled %v, want nothing; log:\n%s", got, log)
	}
	var kept []string
	_ = filepath.WalkDir(seed, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "fnv-") {
			kept = append(kept, p)
		}
		return nil
	})
	if len(kept) != 0 {
		t.Errorf("the seed still holds the dropped fnv: %v", kept)
	}
}
