package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// dockerFixture copies the fixture for a test that runs its image, with
// cargo offline and no layer cache, and names the image's tag after the
// test.
func dockerFixture(t *testing.T, fixture string) (project, tag string) {
	t.Helper()
	offlineCargo(t)
	testenv.RequireDocker(t)
	t.Setenv("BERTH_CACHE_DIR", "off")
	return testenv.CopyFixture(t, fixture), "berth-e2e/" + fixture + ":" + strings.ToLower(t.Name())
}

// runtimeBuild builds the fixture project into an OCI layout with args,
// loads it as tag, and returns the image, its digest and berth's stderr.
func runtimeBuild(t *testing.T, project, tag string, args ...string) (v1.Image, string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "layout")
	r := mustBerth(t, append([]string{"build", "--manifest-path", filepath.Join(project, "Cargo.toml"),
		"--oci-layout", dir, "--load", "-t", tag}, args...)...)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
	return layoutImage(t, dir), digestOf(t, r.stdout), r.stderr
}

// runtimeLayerSize is the compressed size of img's first (runtime) layer.
func runtimeLayerSize(t *testing.T, img v1.Image) int64 {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	n, err := layers[0].Size()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRuntimeTZData runs a binary printing a fixed instant in Europe/Paris
// through glibc's localtime_r: the zone database ships automatically (the
// binary imports localtime_r), with its tzdata record, and the time is
// Paris's; --tzdata=false leaves it out and the time falls back to UTC. A
// std-only binary gets no zone database.
func TestRuntimeTZData(t *testing.T) {
	testenv.RequireDebianCrates(t, "libc")
	project, tag := dockerFixture(t, "paris-time")

	without, _, _ := runtimeBuild(t, project, tag, "--tzdata=false")
	if got := docker(t, "run", "--rm", "--pull", "never", "-e", "TZ=Europe/Paris", tag); !strings.Contains(got, "22:13:20") {
		t.Errorf("without the zone database the time is %q, want UTC's 22:13:20", got)
	}
	img, digest, stderr := runtimeBuild(t, project, tag)
	if !strings.Contains(stderr, "zone database shipped: the binary calls the C library's localtime_r") {
		t.Errorf("the summary does not say why the zone database shipped:\n%s", stderr)
	}
	if got := docker(t, "run", "--rm", "--pull", "never", "-e", "TZ=Europe/Paris", tag); strings.TrimSpace(got) != "2023-11-14 23:13:20 CET" {
		t.Errorf("with the zone database the time is %q, want 2023-11-14 23:13:20 CET", got)
	}
	files := imageFiles(t, img)
	for p, want := range map[string]bool{
		"/usr/share/zoneinfo/Europe/Paris": true, "/var/lib/dpkg/status.d/tzdata": true,
		"/usr/share/doc/tzdata/copyright": true, "/usr/share/zoneinfo/right/Europe/Paris": false,
		"/usr/share/zoneinfo/posix/Europe/Paris": false, "/usr/share/zoneinfo/localtime": false,
	} {
		if files[p] != want {
			t.Errorf("image has %s: %v, want %v", p, files[p], want)
		}
	}
	extra := runtimeLayerSize(t, img) - runtimeLayerSize(t, without)
	t.Logf("zone database: %d KiB compressed", extra/1024)
	if extra > 500*1024 {
		t.Errorf("the zone database adds %d KiB compressed, over the 500 KiB goal", extra/1024)
	}
	if _, again, _ := runtimeBuild(t, project, tag); again != digest {
		t.Errorf("two builds with the zone database differ: %s, %s", digest, again)
	}

	plain := testenv.CopyFixture(t, "plain-service")
	img, _, stderr = runtimeBuild(t, plain, "berth-e2e/plain-service:tz")
	if !strings.Contains(stderr, "zone database left out: the binary does not read it") {
		t.Errorf("the summary does not say why the zone database was left out:\n%s", stderr)
	}
	if files := imageFiles(t, img); files["/usr/share/zoneinfo/UTC"] || files["/var/lib/dpkg/status.d/tzdata"] {
		t.Error("a std-only binary's image has the zone database")
	}
}

// stopTime starts tag, lets it settle, and measures `docker stop -t 10`.
func stopTime(t *testing.T, tag string) time.Duration {
	t.Helper()
	id := strings.TrimSpace(docker(t, "run", "-d", "--pull", "never", tag))
	defer exec.Command("docker", "rm", "-f", id).Run()
	time.Sleep(time.Second)
	start := time.Now()
	docker(t, "stop", "-t", "10", id)
	return time.Since(start)
}

// TestRuntimeInit stops a binary that has no SIGTERM handler: as PID 1 it
// ignores the signal and docker waits the full 10 s; behind tini (--init)
// it stops within 1 s.
func TestRuntimeInit(t *testing.T) {
	project, tag := dockerFixture(t, "plain-service")

	runtimeBuild(t, project, tag)
	if d := stopTime(t, tag); d < 9*time.Second {
		t.Errorf("without --init docker stop took %s: the test cannot tell an init from none", d)
	}
	img, digest, _ := runtimeBuild(t, project, tag, "--init")
	d := stopTime(t, tag)
	t.Logf("docker stop with --init: %s", d)
	if d > time.Second {
		t.Errorf("with --init docker stop took %s, want at most 1s", d)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cf.Config.Entrypoint, " "); got != "/usr/bin/tini-static -- /usr/local/bin/plain-service" {
		t.Errorf("entrypoint %q, want tini in front of the binary", got)
	}
	if files := imageFiles(t, img); !files["/var/lib/dpkg/status.d/tini"] || !files["/usr/share/doc/tini/copyright"] {
		t.Error("the image lacks tini's package record or copyright")
	}
	if _, again, _ := runtimeBuild(t, project, tag, "--init"); again != digest {
		t.Errorf("two builds with --init differ: %s, %s", digest, again)
	}
}

// TestRuntimeHealthcheck puts the service's own health check in the image
// config: docker reports healthy while the service answers, unhealthy when
// nothing listens.
func TestRuntimeHealthcheck(t *testing.T) {
	project, tag := dockerFixture(t, "plain-service")
	args := []string{"--healthcheck", "CMD /usr/local/bin/plain-service --health", "--health-interval", "500ms",
		"--health-timeout", "2s", "--health-retries", "2", "--health-start-period", "1s"}
	_, digest, _ := runtimeBuild(t, project, tag, args...)
	if _, again, _ := runtimeBuild(t, project, tag, args...); again != digest {
		t.Errorf("two builds with a health check differ: %s, %s", digest, again)
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	for _, tt := range []struct {
		name, want string
		env        []string
	}{
		{"answers", "healthy", []string{"-e", "ADDR=" + addr}},
		{"silent", "unhealthy", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			run := append(append([]string{"run", "-d", "--pull", "never", "--network", "host"}, tt.env...), tag)
			id := strings.TrimSpace(docker(t, run...))
			defer exec.Command("docker", "rm", "-f", id).Run()
			got := ""
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
				if got = strings.TrimSpace(docker(t, "inspect", "--format", "{{.State.Health.Status}}", id)); got == tt.want {
					return
				}
			}
			t.Errorf("health status %q, want %q", got, tt.want)
		})
	}
}

// TestRuntimeMissingPackage asks for tini from a root that lacks it: the
// build stops before cargo, naming the package to install, and writes
// nothing.
func TestRuntimeMissingPackage(t *testing.T) {
	offlineCargo(t)
	project := testenv.CopyFixture(t, "plain-service")
	root := t.TempDir()
	out := filepath.Join(t.TempDir(), "layout")
	for _, tt := range []struct{ flag, pkg string }{{"--init", "tini"}, {"--tzdata", "tzdata"}, {"--debug-variant", "busybox-static"}} {
		r := berth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--sysroot", root, tt.flag, "--oci-layout", out)
		if r.code != 2 || !strings.Contains(r.stderr, "apt-get install "+tt.pkg) {
			t.Errorf("%s from a root without %s: exit %d, stderr:\n%s", tt.flag, tt.pkg, r.code, r.stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s wrote %s: %v", tt.flag, out, err)
		}
		if _, err := os.Stat(filepath.Join(project, "target")); !os.IsNotExist(err) {
			t.Errorf("%s ran cargo before refusing", tt.flag)
		}
	}
}

// TestRuntimeStage stages tini and the zone database with the runtime
// files, as a generated Dockerfile's stage step does, with their records.
func TestRuntimeStage(t *testing.T) {
	offlineCargo(t)
	project := testenv.CopyFixture(t, "plain-service")
	out := filepath.Join(t.TempDir(), "rootfs")
	mustBerth(t, "stage", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--init", "--tzdata", "--out", out)
	for _, p := range []string{"usr/bin/tini-static", "var/lib/dpkg/status.d/tini", "usr/share/zoneinfo/Europe/Paris",
		"var/lib/dpkg/status.d/tzdata", "usr/share/doc/tzdata/copyright", "usr/local/bin/plain-service"} {
		if _, err := os.Lstat(filepath.Join(out, p)); err != nil {
			t.Errorf("stage did not write %s: %v", p, err)
		}
	}
}
