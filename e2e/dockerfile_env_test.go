package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/berth-dev/berth/internal/zigcc"
)

var builderImages struct {
	once sync.Once
	out  string
	err  error
}

// berthImage is berth's image built from this working tree, under a tag of
// this test process's own, so that two test runs on one engine (two
// checkouts, say) do not build over each other's; TestMain removes it.
var berthImage = fmt.Sprintf("berth-test/berth:e2e-%d", os.Getpid())

// requireBuilderImages makes sure the three images exist and are current:
// the rust and runtime images are rebuilt only when their inputs change,
// berth's image every time (from this working tree). It runs once per test
// binary.
func requireBuilderImages(t *testing.T) {
	t.Helper()
	testenv.RequireDocker(t)
	testenv.RequireCargo(t)
	testenv.RequireDebianCrates(t, "serde_json", "itoa", "memchr", "ryu", "openssl")
	mirror := testenv.DebianMirror(t)
	_, err := exec.LookPath("debootstrap")
	haveRust := imageExists(testenv.RustImage)
	testenv.Require(t, "debootstrap", err == nil || haveRust, "not on PATH")
	testenv.Require(t, "root (debootstrap needs it to build "+testenv.RustImage+")", os.Geteuid() == 0 || haveRust, "tests run as a normal user")
	builderImages.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(testenv.RepoRoot(t), "scripts", "builder-image.sh"), "all")
		cmd.Env = append(os.Environ(), "BERTH_DEBIAN_MIRROR="+mirror, "BERTH_BERTH_IMAGE="+berthImage)
		out, err := cmd.CombinedOutput()
		builderImages.out, builderImages.err = string(out), err
	})
	if builderImages.err != nil {
		t.Fatalf("scripts/builder-image.sh all: %v\n%s", builderImages.err, builderImages.out)
	}
}

func imageExists(ref string) bool {
	return exec.Command("docker", "image", "inspect", ref).Run() == nil
}

// builder is one way of running `docker build`.
type builder struct {
	name   string
	legacy bool // the legacy builder (DOCKER_BUILDKIT=0), else buildx
}

var (
	buildKit      = builder{name: "buildkit"}
	legacyBuilder = builder{name: "legacy", legacy: true}
)

// build builds the context dir into tag with no network and the local
// images, and returns the build's whole output.
func (b builder) build(t *testing.T, dir, tag string, args ...string) string {
	t.Helper()
	out, err := b.tryBuild(t, dir, tag, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tryBuild is build, returning a failed build's error with its output.
func (b builder) tryBuild(t *testing.T, dir, tag string, args ...string) (string, error) {
	t.Helper()
	argv := []string{"build"}
	if !b.legacy {
		argv = []string{"buildx", "build", "--load", "--progress=plain"}
	}
	argv = append(append(argv, "-t", tag), buildArgs(dir, args)...)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", argv...)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=1")
	if b.legacy {
		cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("docker %s: %v\n%s", strings.Join(argv, " "), err, tail(string(out), 60))
	}
	t.Logf("%s build of %s took %s", b.name, tag, time.Since(start).Round(100*time.Millisecond))
	// A rebuild untags the previous image; remove each one (and with the
	// legacy builder its intermediate images) when the test ends.
	if id, err := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", tag).Output(); err == nil {
		removeImage(t, strings.TrimSpace(string(id)))
	}
	return string(out), nil
}

// buildArgs are the arguments every test build ends with: no network, the
// local images, the build arguments args (K=V) and the context dir.
func buildArgs(dir string, args []string) []string {
	argv := []string{"--network", "none", "--build-arg", "RUST_IMAGE=" + testenv.RustImage, "--build-arg", "BERTH_IMAGE=" + berthImage}
	for _, a := range args {
		argv = append(argv, "--build-arg", a)
	}
	return append(argv, dir)
}

// exportStage builds the stage target of the context dir with BuildKit and
// writes its files into dest.
func exportStage(t *testing.T, dir, target, dest string, args ...string) {
	t.Helper()
	docker(t, append([]string{"buildx", "build", "--progress=plain", "--target", target, "--output", "type=local,dest=" + dest}, buildArgs(dir, args)...)...)
}

// compiled is one "Compiling NAME vVERSION [(PATH)]" line of cargo.
type compiled struct {
	name, version, path string
}

var (
	compilingRe = regexp.MustCompile(`Compiling ([A-Za-z0-9_-]+) v(\S+)(?: \(([^)]*)\))?`)
	// The legacy builder colours each write to stderr; cargo writes
	// "Compiling" and the crate separately.
	ansiRe = regexp.MustCompile("\x1b\\[[0-9;]*m")
)

// compiledCrates lists the crates a build output says cargo compiled. A
// local crate carries its path; a registry crate none.
func compiledCrates(out string) []compiled {
	var cs []compiled
	for _, m := range compilingRe.FindAllStringSubmatch(ansiRe.ReplaceAllString(out, ""), -1) {
		cs = append(cs, compiled{m[1], m[2], m[3]})
	}
	return cs
}

// stepCached reports whether the build reused the layer of the step whose
// command line contains step.
func (b builder) stepCached(out, step string) bool {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.Contains(l, step) {
			continue
		}
		if b.legacy {
			return i+1 < len(lines) && strings.Contains(lines[i+1], "Using cache")
		}
		id, _, _ := strings.Cut(l, " ")
		return strings.Contains(out, "\n"+id+" CACHED")
	}
	return false
}

// replaceIn replaces old by new in the file rel below dir, once.
func replaceIn(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", p, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostCargo runs cargo offline against Debian's crates in dir.
func hostCargo(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("cargo", args...)
	cmd.Dir = dir
	cmd.Env = testenv.CargoEnv(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cargo %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

// removeImage removes a test's image when the test ends.
func removeImage(t *testing.T, tag string) {
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", tag).Run() })
}

// runOnce runs the image's entrypoint and returns its output.
func runOnce(t *testing.T, image string) string {
	t.Helper()
	out, err := exec.Command("docker", "run", "--rm", "--network", "none", image).CombinedOutput()
	if err != nil {
		t.Fatalf("docker run %s: %v\n%s", image, err, out)
	}
	return string(out)
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d lines]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// imageFileSizes lists the files of a local image (path without the
// leading slash → size), from `docker export` of a created container.
func imageFileSizes(t *testing.T, image string) map[string]int64 {
	t.Helper()
	id := strings.TrimSpace(docker(t, "create", image))
	defer exec.Command("docker", "rm", id).Run()
	cmd := exec.Command("docker", "export", id)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	files, err := testenv.TarFiles(stdout)
	if err != nil {
		t.Fatalf("reading docker export of %s: %v", image, err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("docker export %s: %v", image, err)
	}
	return files
}

// fileFromImage reads the file at path from a local image.
func fileFromImage(t *testing.T, image, path string) []byte {
	t.Helper()
	id := strings.TrimSpace(docker(t, "create", image))
	defer exec.Command("docker", "rm", id).Run()
	dest := filepath.Join(t.TempDir(), filepath.Base(path))
	docker(t, "cp", id+":"+path, dest)
	return readFile(t, dest)
}

// stepOutput is the part of a BuildKit plain-progress log that belongs to
// the step whose command line contains step: the lines "#N ..." of its N.
func (b builder) stepOutput(out, step string) string {
	var id string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, step) && strings.HasPrefix(l, "#") {
			id, _, _ = strings.Cut(l, " ")
			break
		}
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if id != "" && strings.HasPrefix(l, id+" ") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// TestMain removes this process's berth image once every test is done. It
// is also berth's main for the --zig wrapper: berth runs in-process here, so
// the wrapper scripts it writes re-execute this test binary, as they would
// cargo-berth, with zigcc.Command first.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == zigcc.Command {
		os.Exit(zigcc.Main(os.Args[2:], os.Stderr))
	}
	code := m.Run()
	if imageExists(berthImage) {
		_ = exec.Command("docker", "rmi", "-f", berthImage).Run()
	}
	os.Exit(code)
}
