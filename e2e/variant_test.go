package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestRuntimeDebugVariant builds the debug variant beside the image: the
// image's digest is the same as without it, and <tag>-debug runs busybox's
// shell, with busybox-static's package record; both land in the layout
// and the docker-archive, and a second build gives the same digests.
func TestRuntimeDebugVariant(t *testing.T) {
	project, tag := dockerFixture(t, "plain-service")
	manifest := filepath.Join(project, "Cargo.toml")
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag, tag+"-debug").Run() })

	plain := mustBerth(t, "build", "--manifest-path", manifest, "--oci-layout", filepath.Join(t.TempDir(), "plain"), "-t", tag)
	build := func() result {
		dir := t.TempDir()
		return mustBerth(t, "build", "--manifest-path", manifest, "--debug-variant", "-t", tag,
			"--oci-layout", filepath.Join(dir, "layout"), "--tarball", filepath.Join(dir, "img.tar"))
	}
	r := build()
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || digestOf(t, lines[0]) != digestOf(t, plain.stdout) || !strings.HasPrefix(lines[1], tag+"-debug@sha256:") {
		t.Fatalf("with the variant, stdout is\n%s\nwant the image's digest unchanged (%s), then %s-debug", r.stdout, plain.stdout, tag)
	}
	if again := build(); again.stdout != r.stdout {
		t.Errorf("two builds with the variant differ:\n%s\n%s", r.stdout, again.stdout)
	}

	dir := t.TempDir()
	mustBerth(t, "build", "--manifest-path", manifest, "--debug-variant", "-t", tag, "--tarball", filepath.Join(dir, "img.tar"))
	docker(t, "load", "-i", filepath.Join(dir, "img.tar"))
	if got := docker(t, "run", "--rm", "--pull", "never", "--entrypoint", "/busybox/sh", tag+"-debug", "-c", "echo ok"); strings.TrimSpace(got) != "ok" {
		t.Errorf("/busybox/sh -c 'echo ok' printed %q", got)
	}
	got := docker(t, "run", "--rm", "--pull", "never", "--entrypoint", "/busybox/ls", tag+"-debug", "/var/lib/dpkg/status.d", "/usr/share/doc/busybox-static")
	if !strings.Contains(got, "busybox-static") || !strings.Contains(got, "copyright") {
		t.Errorf("the variant lacks busybox-static's record or copyright:\n%s", got)
	}
	if out, err := exec.Command("docker", "run", "--rm", "--pull", "never", "--entrypoint", "/busybox/sh", tag, "-c", "true").CombinedOutput(); err == nil {
		t.Errorf("the image itself has a shell: %s", out)
	}
}

// TestRuntimeExtrasFromRuntimeImage takes tini and the zone database from
// a --runtime-from image, never from the build machine: from a runtime
// image that has them the build ships them; from one that lacks them it
// fails naming the package, although this machine has both.
func TestRuntimeExtrasFromRuntimeImage(t *testing.T) {
	testenv.RequireCargo(t)
	reg := testenv.StartRegistry(t)
	t.Setenv("BERTH_CACHE_DIR", t.TempDir())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rt.c"), []byte("#include <stdio.h>\nint main(void){puts(\"rt\");return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gccRun(t, dir, "gcc", "-o", "rt", "rt.c")
	bin := filepath.Join(dir, "rt")
	bare, full := reg+"/berth-e2e/rt:bare", reg+"/berth-e2e/rt:extras"
	mustBerth(t, "build", "--binary", bin, "--push", "-t", bare, "--tzdata=false")
	mustBerth(t, "build", "--binary", bin, "--push", "-t", full, "--init", "--tzdata")

	for _, flag := range []string{"--init", "--tzdata"} {
		out := filepath.Join(t.TempDir(), "layout")
		r := berth(t, "build", "--binary", bin, "--runtime-from", bare, flag, "--oci-layout", out)
		if r.code == 0 || !strings.Contains(r.stderr, "apt-get install") {
			t.Errorf("%s from a runtime image without it: exit %d, stderr:\n%s", flag, r.code, r.stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: the layout was written after a failure", flag)
		}
	}
	out := filepath.Join(t.TempDir(), "layout")
	mustBerth(t, "build", "--binary", bin, "--runtime-from", full, "--init", "--tzdata", "--oci-layout", out)
	files := imageFiles(t, layoutImage(t, out))
	for _, p := range []string{"/usr/bin/tini-static", "/usr/share/zoneinfo/Europe/Paris"} {
		if !files[p] {
			t.Errorf("the image lacks %s from the runtime image", p)
		}
	}
}
