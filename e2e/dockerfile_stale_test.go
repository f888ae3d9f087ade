package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestDockerfileOutOfDate checks what happens when the project outgrows the
// files a generated planner copies (BuildKit, virtual workspace):
//   - a new binary is not in the recipe: the build works and the stage step
//     warns that the project no longer matches the recipe;
//   - a new member crate that the binary depends on is missing from the
//     planner: the build stops there, saying to regenerate the Dockerfile;
//   - regenerated with --force, it builds, runs the new code, and warns no
//     more;
//   - a crate the planner lists is removed: the build stops at its COPY.
func TestDockerfileOutOfDate(t *testing.T) {
	requireBuilderImages(t)
	dir := filepath.Join(t.TempDir(), "virtual")
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "e2e/testdata/dockerfile/virtual"), dir); err != nil {
		t.Fatal(err)
	}
	hostCargo(t, dir, "generate-lockfile", "--offline")
	// Unique per run: no build cache from an earlier run may stand in for
	// the stage steps whose output is checked.
	nonce := time.Now().UnixNano()
	appendLine(t, filepath.Join(dir, "crates/app/src/main.rs"), fmt.Sprintf("// run %d", nonce))
	manifest := filepath.Join(dir, "Cargo.toml")
	mustBerth(t, "dockerfile", "--manifest-path", manifest, "--bin", "app")
	tag := fmt.Sprintf("berth-e2e-dockerfile/stale:%d", nonce%1e9)
	removeImage(t, tag)
	buildKit.build(t, dir, tag)

	writeFile(t, filepath.Join(dir, "crates/app/src/bin/extra.rs"), "fn main() {}\n")
	out := buildKit.build(t, dir, tag)
	stage := buildKit.stepOutput(out, "cargo-berth stage")
	if !strings.Contains(stage, "no longer matches the recipe") || !strings.Contains(stage, "crates/app/src/bin/extra.rs") {
		t.Errorf("a new binary: the stage step did not warn about the stale recipe; its output:\n%s", stage)
	}

	writeFile(t, filepath.Join(dir, "crates/shout/Cargo.toml"),
		"[package]\nname = \"shout\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\nitoa = \"1\"\n")
	writeFile(t, filepath.Join(dir, "crates/shout/src/lib.rs"), "pub fn shout(s: &str) -> String { s.to_uppercase() }\n")
	replaceIn(t, dir, "crates/app/Cargo.toml", "[dependencies]\n", "[dependencies]\nshout = { path = \"../shout\" }\n")
	replaceIn(t, dir, "crates/app/src/main.rs", `MESSAGE, buf`, `shout::shout(MESSAGE), buf`)
	hostCargo(t, dir, "update", "-w", "--offline")
	out, err := buildKit.tryBuild(t, dir, tag)
	if err == nil || !strings.Contains(out, "cargo berth dockerfile --force") || !strings.Contains(out, "crates/shout") {
		t.Fatalf("a new member crate: the build did not stop at the planner with what to do (err %v); output:\n%s", err, tail(out, 40))
	}

	mustBerth(t, "dockerfile", "--manifest-path", manifest, "--bin", "app", "--force")
	out = buildKit.build(t, dir, tag)
	if strings.Contains(out, "no longer matches the recipe") {
		t.Errorf("regenerated: the stage step still warns; output:\n%s", tail(out, 40))
	}
	if got := runOnce(t, tag); !strings.Contains(got, "HELLO FROM THE VIRTUAL WORKSPACE") {
		t.Errorf("regenerated: the image printed %q, want the new code's output", got)
	}

	if err := os.RemoveAll(filepath.Join(dir, "crates/admin")); err != nil {
		t.Fatal(err)
	}
	hostCargo(t, dir, "update", "-w", "--offline")
	out, err = buildKit.tryBuild(t, dir, tag)
	if err == nil || !strings.Contains(out, "crates/admin/Cargo.toml") {
		t.Errorf("a listed crate removed: the build did not stop at the planner's COPY of its manifest (err %v); output:\n%s", err, tail(out, 30))
	}
}

// writeFile creates p (and its directory) with data.
func writeFile(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
