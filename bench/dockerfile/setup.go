package main

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/bench/internal/report"
	"github.com/berth-dev/berth/internal/testenv"
)

// seedDockerfile is the hand-written Dockerfile berth is measured against.
const seedDockerfile = `ARG RUST_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot
FROM ${RUST_IMAGE} AS builder
WORKDIR /app
COPY Cargo.toml Cargo.lock ./
# Fake sources so that the dependencies build in their own layer.
RUN mkdir src && echo 'fn main() {}' > src/main.rs && \
    cargo build --release --locked && \
    rm -rf src
COPY src ./src
# COPY keeps the context's mtimes: touch, or cargo may keep the stub.
RUN touch src/main.rs && cargo build --release --locked

FROM ${RUNTIME_IMAGE}
COPY --from=builder /app/target/release/hyper-service /usr/local/bin/hyper-service
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/hyper-service"]
`

// project is one copy of the fixture with its Dockerfile.
type project struct {
	name, dir, tag string
	buildArgs      []string
}

type bench struct {
	tmp      string
	env      []string    // offline cargo against Debian's crates
	projects [2]*project // berth, seed
	nonce    string
	berthBin string
	images   []string // every image built, removed by close
	control  bool     // projects[0] is a copy of the seed (an A/A run)
	churn    bool     // the churn workspace: berth's Dockerfile against its single-layer form
}

func newBench(control, churn bool) (*bench, error) {
	root, err := report.RepoRoot()
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "bench/dockerfile: scripts/builder-image.sh all (cached by content)")
	if err := command(root, nil, os.Stderr, "bash", "scripts/builder-image.sh", "all"); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "berth-bench-dockerfile-")
	if err != nil {
		return nil, err
	}
	b := &bench{tmp: tmp, nonce: strconv.FormatInt(time.Now().Unix()%100000, 10), control: control, churn: churn}
	home := filepath.Join(tmp, "cargo-home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	if err := testenv.WriteOfflineCargoConfig(home); err != nil {
		return nil, err
	}
	b.env = append(os.Environ(), "CARGO_HOME="+home)
	b.berthBin = filepath.Join(tmp, "cargo-berth")
	if err := command(root, nil, nil, "go", "build", "-o", b.berthBin, "./cmd/cargo-berth"); err != nil {
		return nil, err
	}
	names := []string{"berth", "seed"}
	if control {
		names[0] = "seed-copy"
	}
	for k, name := range names {
		if b.projects[k], err = b.newProject(root, name); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// newProject copies the fixture, makes its Cargo.lock, writes the
// Dockerfile (berth's or the seed) and berth's .dockerignore for both.
func (b *bench) newProject(root, name string) (*project, error) {
	fixture, genArgs := "hyper-service", []string{"dockerfile"}
	if b.churn {
		fixture, genArgs = "churn", []string{"dockerfile", "--bin", "app"}
	}
	p := &project{name: name, dir: filepath.Join(b.tmp, name, fixture), tag: "berth-bench/" + name + ":latest"}
	src := filepath.Join(root, "e2e", "testdata", "fixtures", fixture)
	if err := testenv.CopyTree(src, p.dir); err != nil {
		return nil, err
	}
	if err := command(p.dir, b.env, nil, "cargo", "generate-lockfile", "--offline"); err != nil {
		return nil, err
	}
	if err := command(p.dir, nil, nil, b.berthBin, genArgs...); err != nil {
		return nil, err
	}
	p.buildArgs = []string{"RUST_IMAGE=" + testenv.RustImage, "BERTH_IMAGE=" + testenv.BerthImage}
	if b.churn && name != "berth" {
		return p, singleLayer(filepath.Join(p.dir, "Dockerfile"))
	}
	if b.churn {
		return p, b.ownSeed(p)
	}
	if name != "berth" {
		p.buildArgs = []string{"RUST_IMAGE=" + testenv.RustImage, "RUNTIME_IMAGE=" + testenv.DistrolessImage}
		if err := os.WriteFile(filepath.Join(p.dir, "Dockerfile"), []byte(seedDockerfile), 0o644); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (b *bench) close() {
	if b.churn {
		b.clearSeed()
	}
	os.RemoveAll(b.tmp)
	for _, p := range b.projects {
		if p != nil {
			exec.Command("docker", "rmi", p.tag).Run()
		}
	}
	for _, id := range b.images {
		exec.Command("docker", "rmi", id).Run()
	}
}

// build runs BuildKit with no network and returns its output.
func (b *bench) build(p *project) (string, error) {
	args := []string{"buildx", "build", "--load", "--progress=plain", "--network", "none", "-t", p.tag}
	for _, a := range p.buildArgs {
		args = append(args, "--build-arg", a)
	}
	var out strings.Builder
	err := command(p.dir, nil, &out, "docker", append(args, p.dir)...)
	if id, ierr := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", p.tag).Output(); ierr == nil {
		b.images = append(b.images, strings.TrimSpace(string(id)))
	}
	return out.String(), err
}

// bump sets the package version to 0.<run>.<nonce> and updates Cargo.lock.
func (b *bench) bump(p *project, i int) error {
	if err := p.rewrite("Cargo.toml", `(?m)^version = ".*"$`, fmt.Sprintf(`version = "0.%d.%s"`, i+4, b.nonce)); err != nil {
		return err
	}
	return command(p.dir, b.env, nil, "cargo", "update", "-w", "--offline")
}

// edit rewrites the MESSAGE constant: a one-line source change.
func (p *project) edit(i int) error {
	return p.rewrite("src/main.rs", `(?m)^const MESSAGE: &str = .*$`, fmt.Sprintf(`const MESSAGE: &str = "edit %d %d";`, i, time.Now().UnixNano()))
}

func (p *project) rewrite(rel, pattern, repl string) error {
	path := filepath.Join(p.dir, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	re := regexp.MustCompile(pattern)
	if !re.Match(data) {
		return fmt.Errorf("%s has no line matching %s", path, pattern)
	}
	return os.WriteFile(path, re.ReplaceAll(data, []byte(repl)), 0o644)
}

var depRe = regexp.MustCompile(`Compiling [A-Za-z0-9_-]+ v\S+\s*(\n|$)`)

// compiledDeps counts registry crates in a build's output: their
// "Compiling" lines carry no local path.
func compiledDeps(out string) int { return len(depRe.FindAllString(out, -1)) }

func imageSize(tag string) (int64, error) {
	out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Size}}", tag).Output()
	if err != nil {
		return 0, fmt.Errorf("docker image inspect %s: %w", tag, err)
	}
	return strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
}

// fileSize reads the size of one file of an image through `docker cp`.
func fileSize(tag, path string) (int64, error) {
	id, err := exec.Command("docker", "create", tag).Output()
	if err != nil {
		return 0, fmt.Errorf("docker create %s: %w", tag, err)
	}
	defer exec.Command("docker", "rm", strings.TrimSpace(string(id))).Run()
	out, err := exec.Command("docker", "cp", strings.TrimSpace(string(id))+":"+path, "-").Output()
	if err != nil {
		return 0, fmt.Errorf("docker cp %s from %s: %w", path, tag, err)
	}
	h, err := tar.NewReader(strings.NewReader(string(out))).Next()
	if err != nil && err != io.EOF {
		return 0, err
	}
	return h.Size, nil
}

func command(dir string, env []string, out io.Writer, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = out, &stderr
	if out != nil {
		cmd.Stderr = io.MultiWriter(out, &stderr)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(stderr.String()))
	}
	return nil
}

func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}
