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

// builtImage is a builder image made at most once per test binary, and how
// that went.
type builtImage struct {
	once sync.Once
	out  string
	err  error
}

// require runs make once (its combined output and error are kept) and
// fails t when it failed, naming what.
func (b *builtImage) require(t *testing.T, what string, make func() (string, error)) {
	t.Helper()
	b.once.Do(func() { b.out, b.err = make() })
	if b.err != nil {
		t.Fatalf("%s: %v\n%s", what, b.err, tail(b.out, 40))
	}
}

var crossImage builtImage

// requireCrossImage builds (or finds current) the cross builder image, once
// per test binary.
func requireCrossImage(t *testing.T) {
	t.Helper()
	requireBuilderImages(t)
	crossImage.require(t, "scripts/builder-image.sh rust-cross", func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "bash", filepath.Join(testenv.RepoRoot(t), "scripts", "builder-image.sh"), "rust-cross").CombinedOutput()
		return string(out), err
	})
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
	out := buildOn(t, crossRustImage, dir, tag, "--platform", "linux/arm64")
	if !strings.Contains(out, "linking with aarch64-linux-gnu-gcc") {
		t.Errorf("the build does not show the cross linker:\n%s", tail(string(out), 40))
	}
	checkArm64Service(t, tag)
}

// buildOn builds the context dir into tag with BuildKit, no network, on the
// builder image rustImage (RUST_IMAGE) and this run's berth image, with the
// buildx flags extra; the image is removed when the test ends. It returns
// the build's plain-progress log.
func buildOn(t *testing.T, rustImage, dir, tag string, extra ...string) string {
	t.Helper()
	argv := append(append([]string{"buildx", "build", "--load", "--progress=plain", "--network", "none"}, extra...), "-t", tag,
		"--build-arg", "RUST_IMAGE="+rustImage, "--build-arg", "BERTH_IMAGE="+berthImage, dir)
	cmd := exec.Command("docker", argv...)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(argv, " "), err, tail(string(out), 60))
	}
	t.Cleanup(func() { removeImage(t, tag) })
	return string(out)
}
