package publish

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// requireDocker skips the test when no Docker daemon answers, unless
// BERTH_E2E=1 says one must.
func requireDocker(t *testing.T) {
	t.Helper()
	out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("no Docker daemon (`docker info`: %v: %s); start dockerd to run this test", err, strings.TrimSpace(string(out)))
	if os.Getenv("BERTH_E2E") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func TestDaemon(t *testing.T) {
	requireDocker(t)
	img := testImage(t, randomLayers(t, 2)...)
	repo := fmt.Sprintf("berth-test/publish-%d", time.Now().UnixNano())
	tt := tags(t, repo+":a", repo+":b")
	t.Cleanup(func() {
		_ = exec.Command("docker", "rmi", "--force", tt[0].String(), tt[1].String()).Run()
	})
	lines, err := strs(Daemon().Publish(context.Background(), single(img), tt))
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf(t, img)
	if len(lines) != 2 || lines[0] != repo+":a@"+d || lines[1] != repo+":b@"+d {
		t.Errorf("lines = %q", lines)
	}
	cfg, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tt {
		out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", tag.String()).CombinedOutput()
		if err != nil {
			t.Fatalf("docker image inspect %s: %v: %s", tag, err, out)
		}
		// The image ID is the config digest (classic store) or the manifest
		// digest (containerd store).
		if id := strings.TrimSpace(string(out)); id != cfg.String() && id != d {
			t.Errorf("%s has ID %s, want %s or %s", tag, id, cfg, d)
		}
	}
}

func TestDaemonUnreachable(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/berth-test.sock")
	img := testImage(t, randomLayers(t, 1)...)
	_, err := Daemon().Publish(context.Background(), single(img), tags(t, "app"))
	if err == nil || !strings.Contains(err.Error(), "is dockerd running?") || !strings.Contains(err.Error(), "DOCKER_HOST=unix:///nonexistent") {
		t.Errorf("error = %v, want a hint about dockerd and DOCKER_HOST", err)
	}
	if _, err := Daemon().Publish(context.Background(), single(img), nil); err == nil || !strings.Contains(err.Error(), "needs at least one tag") {
		t.Errorf("error = %v, want a request for a tag", err)
	}
}
