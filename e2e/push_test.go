package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestPushPullRun pushes to a real registry (distribution, on 127.0.0.1),
// pulls with docker and runs; a rebuilt image re-uploads only what changed.
func TestPushPullRun(t *testing.T) {
	testenv.RequireCargo(t)
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(project, "Cargo.toml")
	ref := reg + "/berth-e2e/hello:1"
	t.Cleanup(func() { docker(t, "rmi", "-f", ref) })

	first := mustBerth(t, "build", "--manifest-path", manifest, "--push", "-t", ref)
	if !strings.HasPrefix(first.stdout, ref+"@sha256:") {
		t.Errorf("stdout = %q, want %s@sha256:...", first.stdout, ref)
	}
	docker(t, "pull", ref)
	if got := runService(t, ref); !strings.Contains(got, "hello from berth") {
		t.Errorf("pulled image answers %q", got)
	}

	setMessage(t, project, "pushed again")
	second := mustBerth(t, "build", "--manifest-path", manifest, "--push", "-t", ref)
	// The runtime layer is already there; only the application layer and
	// the config (which lists the layers' digests) travel.
	uploaded, present := pushCounts(t, second.stderr)
	if uploaded != 2 || present != 1 {
		t.Errorf("second push uploaded %d blobs with %d already present, want 2 and 1\n%s", uploaded, present, second.stderr)
	}
	docker(t, "pull", ref)
	if got := runService(t, ref); !strings.Contains(got, "pushed again") {
		t.Errorf("re-pulled image answers %q", got)
	}
}

var pushedLine = regexp.MustCompile(`pushed \S+: (\d+) blobs uploaded, \d+ mounted, (\d+) already present`)

func pushCounts(t *testing.T, stderr string) (uploaded, present int) {
	t.Helper()
	m := pushedLine.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no push summary in stderr:\n%s", stderr)
	}
	fmt.Sscan(m[1], &uploaded)
	fmt.Sscan(m[2], &present)
	return uploaded, present
}

// TestBuildOnBaseImage layers a binary onto a base image pulled from a
// registry: the base's layers stay, the binary is added, and it runs on the
// base's libraries.
func TestBuildOnBaseImage(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	example := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), example); err != nil {
		t.Fatal(err)
	}
	base := reg + "/berth-e2e/base:1"
	mustBerth(t, "build", "--manifest-path", filepath.Join(example, "Cargo.toml"), "--push", "-t", base, "--env", "FROM_BASE=yes")

	two := testenv.CopyFixture(t, "two-bins")
	layoutDir := filepath.Join(t.TempDir(), "layout")
	tag := "berth-e2e/on-base:test"
	t.Cleanup(func() { docker(t, "rmi", "-f", tag) })
	mustBerth(t, "build", "--manifest-path", filepath.Join(two, "Cargo.toml"), "--bin", "beta",
		"--base", base, "--oci-layout", layoutDir, "--load", "-t", tag)
	img := layoutImage(t, layoutDir)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	// The base has a runtime and an application layer; beta adds its own.
	if len(layers) != 3 {
		t.Errorf("image has %d layers, want the base's 2 and the binary's", len(layers))
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cf.Config.Entrypoint, " "); got != "/usr/local/bin/beta" {
		t.Errorf("entrypoint = %q", got)
	}
	if !containsString(cf.Config.Env, "FROM_BASE=yes") {
		t.Errorf("env = %v, want the base's FROM_BASE=yes kept", cf.Config.Env)
	}
	if out := docker(t, "run", "--rm", "--network", "host", tag); !strings.Contains(out, "beta") {
		t.Errorf("beta on the base printed %q", out)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPushWithDockerLogin pushes to a registry that wants credentials: with
// none berth says to log in and writes nothing; with a Docker config holding
// them (what `docker login` writes) the push goes through.
func TestPushWithDockerLogin(t *testing.T) {
	testenv.RequireCargo(t)
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t, testenv.WithBasicAuth("berth", "s3cret"))
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(project, "Cargo.toml")
	ref := reg + "/berth-e2e/private:1"

	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials
	r := berth(t, "build", "--manifest-path", manifest, "--push", "-t", ref)
	if r.code != 1 || !strings.Contains(r.stderr, "401 Unauthorized") || !strings.Contains(r.stderr, "docker login "+reg) || r.stdout != "" {
		t.Errorf("push without credentials: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}

	config := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("berth:s3cret"))
	if err := os.WriteFile(filepath.Join(config, "config.json"),
		[]byte(fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, reg, auth)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", config)
	if r := mustBerth(t, "build", "--manifest-path", manifest, "--push", "-t", ref); !strings.HasPrefix(r.stdout, ref+"@sha256:") {
		t.Errorf("stdout = %q", r.stdout)
	}
	t.Cleanup(func() { docker(t, "rmi", "-f", ref) })
	docker(t, "--config", config, "pull", ref)
	if got := runService(t, ref); !strings.Contains(got, "hello from berth") {
		t.Errorf("pulled image answers %q", got)
	}
}
