package recipe

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/testenv"
)

// TestStubShipsWithoutInvalidation is the control for TestCookContract: with
// the real (unmasked) manifests and no invalidation, cargo takes the older
// real sources for fresh and the stub ships. It shows that the contract test
// can fail, and why cook must invalidate explicitly.
func TestStubShipsWithoutInvalidation(t *testing.T) {
	testenv.RequireCargo(t)
	testenv.RequireDebianCrates(t, "itoa")
	runner := &cargo.Runner{Env: cargoEnv(t), Stderr: io.Discard}
	ctx := copyLayout(t, "single")
	r := prepareLayout(t, ctx, ".")
	work := t.TempDir()
	if err := WriteSkeleton(r, work, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Cargo.toml", "Cargo.lock"} {
		data, err := os.ReadFile(filepath.Join(ctx, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := runner.Run(context.Background(), work, "build"); err != nil {
		t.Fatal(err)
	}
	copyTree(t, ctx, work, &oldTime)
	if err := runner.Run(context.Background(), work, "build"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(work, "target", "debug", "single")).CombinedOutput()
	if err != nil {
		t.Fatalf("running the binary: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "real") {
		t.Errorf("cargo rebuilt the older real sources without invalidation (printed %q): the mtime trap is gone from this cargo, and this control no longer shows anything", out)
	}
}
