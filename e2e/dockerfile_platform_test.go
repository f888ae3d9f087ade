package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// crossRustImage is the rust builder image plus Debian's cross toolchain
// (scripts/builder-image.sh rust-cross).
const crossRustImage = "berth-test/rust-cross:bookworm"

var crossImage struct {
	once sync.Once
	out  string
	err  error
}

// requireCrossImage builds (or finds current) the cross builder image, once
// per test binary.
func requireCrossImage(t *testing.T) {
	t.Helper()
	requireBuilderImages(t)
	crossImage.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(testenv.RepoRoot(t), "scripts", "builder-image.sh"), "rust-cross")
		out, err := cmd.CombinedOutput()
		crossImage.out, crossImage.err = string(out), err
	})
	if crossImage.err != nil {
		t.Fatalf("scripts/builder-image.sh rust-cross: %v\n%s", crossImage.err, crossImage.out)
	}
}

// TestDockerfileCrossPlatform builds a Dockerfile written with --platform
// for linux/arm64 with BuildKit, no network: the builder runs on the build
// machine's platform and cross-compiles (QEMU never runs the compiler);
// the arm64 result runs under QEMU, reports aarch64 and serves HTTP as
// the nonroot user.
func TestDockerfileCrossPlatform(t *testing.T) {
	crossCargo(t) // qemu in binfmt_misc, to run the result
	requireCrossImage(t)
	dir := testenv.CopyFixture(t, "hyper-service")
	// A source unique to this run: BuildKit's cache from an earlier run
	// would otherwise skip the stage step whose output this test reads (the
	// planner copies manifests only, so the cooked dependencies stay cached).
	appendLine(t, filepath.Join(dir, "src", "main.rs"), fmt.Sprintf("// run %d", time.Now().UnixNano()))
	r := mustBerth(t, "dockerfile", "--manifest-path", filepath.Join(dir, "Cargo.toml"), "--platform", "linux/arm64")
	if !strings.Contains(r.stderr, "docker buildx build --platform linux/arm64") {
		t.Errorf("stderr does not give the cross build's command:\n%s", r.stderr)
	}
	tag := "berth-e2e/df-cross:" + strings.ToLower(t.Name())
	argv := []string{"buildx", "build", "--load", "--progress=plain", "--network", "none", "--platform", "linux/arm64", "-t", tag,
		"--build-arg", "RUST_IMAGE=" + crossRustImage, "--build-arg", "BERTH_IMAGE=" + berthImage, dir}
	cmd := exec.Command("docker", argv...)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(argv, " "), err, tail(string(out), 60))
	}
	t.Cleanup(func() { removeImage(t, tag) })
	if !strings.Contains(string(out), "linking with aarch64-linux-gnu-gcc") {
		t.Errorf("the build does not show the cross linker:\n%s", tail(string(out), 40))
	}
	checkArm64Service(t, tag)
}
