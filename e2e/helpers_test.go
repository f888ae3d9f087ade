package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/cli"
	"github.com/berth-dev/berth/internal/testenv"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// result is one run of cargo-berth.
type result struct {
	stdout, stderr string
	code           int
}

// berth runs cargo-berth in-process with args, as `cargo berth` would.
func berth(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	code := cli.Main(ctx, append([]string{"berth"}, args...), &out, &errb)
	return result{out.String(), errb.String(), code}
}

// mustBerth runs cargo-berth and fails the test unless it succeeds.
func mustBerth(t *testing.T, args ...string) result {
	t.Helper()
	r := berth(t, args...)
	if r.code != 0 {
		t.Fatalf("cargo berth %s: exit %d\nstderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// offlineCargo points this test's cargo at Debian's packaged crates.
func offlineCargo(t *testing.T) {
	t.Helper()
	testenv.RequireCargo(t)
	for _, kv := range testenv.CargoEnv(t) {
		k, v, _ := strings.Cut(kv, "=")
		if k == "CARGO_HOME" || k == "RUSTUP_HOME" {
			t.Setenv(k, v)
		}
	}
}

// digestOf returns the sha256 digest from a "<ref>@sha256:..." stdout line.
func digestOf(t *testing.T, stdout string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	_, d, ok := strings.Cut(lines[0], "@")
	if !ok || !strings.HasPrefix(d, "sha256:") {
		t.Fatalf("stdout %q is not <ref>@sha256:<digest>", stdout)
	}
	return d
}

// layoutRoot reads the index.json of an OCI layout.
func layoutRoot(t *testing.T, dir string) v1.ImageIndex {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// layoutImage reads the only image of an OCI layout.
func layoutImage(t *testing.T, dir string) v1.Image {
	t.Helper()
	idx := layoutRoot(t, dir)
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) == 0 {
		t.Fatalf("layout %s has no image: %v", dir, err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// docker runs the docker CLI and returns its combined output.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// freePort returns a free TCP port on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// runService starts image with host networking on a free loopback port,
// waits for an HTTP answer on / and returns its body. runArgs go to
// `docker run` (e.g. --platform).
func runService(t *testing.T, image string, runArgs ...string) string {
	t.Helper()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := append(append([]string{"run", "-d", "--rm", "--network", "host", "-e", "ADDR=" + addr}, runArgs...), image)
	id := strings.TrimSpace(docker(t, args...))
	defer exec.Command("docker", "rm", "-f", id).Run()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get("http://" + addr + "/")
		if err == nil {
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			return b.String()
		}
		time.Sleep(200 * time.Millisecond)
	}
	logs, _ := exec.Command("docker", "logs", id).CombinedOutput()
	t.Fatalf("%s did not answer on %s within 20s; logs:\n%s", image, addr, logs)
	return ""
}

// setMessage rewrites the MESSAGE constant of a fixture's src/main.rs.
func setMessage(t *testing.T, project, msg string) {
	t.Helper()
	p := filepath.Join(project, "src", "main.rs")
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	found := false
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "const MESSAGE: &str =") {
			line, found = fmt.Sprintf("const MESSAGE: &str = %q;", msg), true
		}
		out = append(out, line)
	}
	if !found {
		t.Fatalf("%s has no MESSAGE constant", p)
	}
	if err := os.WriteFile(p, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fileSizes maps each file of img's flattened file system (relative path)
// to its size.
func fileSizes(t *testing.T, img v1.Image) map[string]int64 {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	sizes, err := testenv.TarFiles(rc)
	if err != nil {
		t.Fatal(err)
	}
	return sizes
}

// imageFiles lists the absolute paths in img's flattened file system.
func imageFiles(t *testing.T, img v1.Image) map[string]bool {
	t.Helper()
	files := map[string]bool{}
	for name := range fileSizes(t, img) {
		files["/"+name] = true
	}
	return files
}

// eachLayerEntry calls f with every entry of every layer of img, in order,
// until f returns false.
func eachLayerEntry(t *testing.T, img v1.Image, f func(h *tar.Header, r io.Reader) bool) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				t.Fatal(err)
			}
			if !f(h, tr) {
				rc.Close()
				return
			}
		}
		rc.Close()
	}
}
