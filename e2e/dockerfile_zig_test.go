package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// zigRustImage is the rust builder image with zig 0.11.0 (this machine's,
// from scripts/ci-setup.sh) in /usr/local/lib/zig and on PATH: a RUST_IMAGE
// for Dockerfiles written with --zig. Like the cross image it is kept.
const zigRustImage = "berth-test/rust-zig:bookworm"

var zigImage builtImage

// requireZigImage builds the zig builder image once per test binary, with
// no network: the rust image plus a copy of the local zig tree.
func requireZigImage(t *testing.T) {
	t.Helper()
	requireBuilderImages(t)
	zig := testenv.RequireZig(t)
	zigImage.require(t, "building "+zigRustImage, func() (string, error) {
		root, err := filepath.EvalSymlinks(zig)
		if err != nil {
			return "", err
		}
		dockerfile := filepath.Join(t.TempDir(), "Dockerfile")
		body := "FROM " + testenv.RustImage + "\nCOPY . /usr/local/lib/zig\n" +
			"RUN ln -sf /usr/local/lib/zig/zig /usr/local/bin/zig && zig version\n"
		if err := os.WriteFile(dockerfile, []byte(body), 0o644); err != nil {
			return "", err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "docker", "buildx", "build", "--load", "--network", "none", "-t", zigRustImage, "-f", dockerfile, filepath.Dir(root)).CombinedOutput()
		return string(out), err
	})
}

// TestDockerfileZig: a Dockerfile written with --zig and a glibc-suffixed
// target (the builder's own triple, x86_64-unknown-linux-gnu.2.17), built
// with BuildKit, no network, on a RUST_IMAGE that has zig: cook and stage
// both link through the same wrapper path, so stage compiles the service
// crate alone (cook's dependencies, its serde derive proc-macro among them,
// stay fresh); the image runs, and its binary needs glibc 2.17 at most.
func TestDockerfileZig(t *testing.T) {
	requireZigImage(t)
	dir := testenv.CopyFixture(t, "hyper-service")
	// A source and a recipe unique to this run: BuildKit's cache would
	// otherwise skip the steps whose output this test reads, stage and the
	// second cook (the recipe keeps [package.metadata]; the third-party
	// dependencies' cook stays cached).
	run := time.Now().UnixNano()
	appendLine(t, filepath.Join(dir, "src", "main.rs"), fmt.Sprintf("// run %d", run))
	appendLine(t, filepath.Join(dir, "Cargo.toml"), fmt.Sprintf("[package.metadata.e2e]\nrun = \"%d\"", run))
	const target = "x86_64-unknown-linux-gnu.2.17"
	r := mustBerth(t, "dockerfile", "--manifest-path", filepath.Join(dir, "Cargo.toml"), "--zig", "--target", target)
	if !strings.Contains(r.stderr, "RUST_IMAGE must have zig") {
		t.Errorf("stderr does not say RUST_IMAGE needs zig:\n%s", r.stderr)
	}
	tag := "berth-e2e/df-zig:" + strings.ToLower(t.Name())
	checkZigStages(t, buildOn(t, zigRustImage, dir, tag))
	var body struct {
		Service string `json:"service"`
	}
	if err := json.Unmarshal([]byte(runService(t, tag, "--pull", "never")), &body); err != nil || body.Service == "" {
		t.Errorf("the image answered %+v (%v)", body, err)
	}
	bin := filepath.Join(t.TempDir(), "hyper-service")
	if err := os.WriteFile(bin, fileFromImage(t, tag, "/usr/local/bin/hyper-service"), 0o755); err != nil {
		t.Fatal(err)
	}
	checkGlibcAtMost(t, bin, "GLIBC_2.17")
}

// wrapperRe finds the zig wrapper berth names in a step's log.
var wrapperRe = regexp.MustCompile(`through berth's wrapper (\S+-cc)`)

// checkZigStages: the second cook step and the stage step name the same
// 2.17 wrapper, and stage compiled the service crate alone.
func checkZigStages(t *testing.T, out string) {
	t.Helper()
	cook := buildKit.stepOutput(out, "cargo-berth cook --recipe-path /berth/recipe.json")
	stage := buildKit.stepOutput(out, "cargo-berth stage")
	cw, sw := wrapperRe.FindStringSubmatch(cook), wrapperRe.FindStringSubmatch(stage)
	if cw == nil || sw == nil || cw[1] != sw[1] || !strings.HasSuffix(cw[1], "x86_64-linux-gnu.2.17-cc") {
		t.Errorf("cook's wrapper %q and stage's %q: want one x86_64-linux-gnu.2.17-cc\ncook:\n%s\nstage:\n%s", cw, sw, tail(cook, 20), tail(stage, 30))
	}
	crates := compiledCrates(stage)
	if len(crates) != 1 || crates[0].name != "hyper-service" {
		t.Errorf("stage compiled %v, want the service crate alone:\n%s", crates, tail(stage, 40))
	}
}
