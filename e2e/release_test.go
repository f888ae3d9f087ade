package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestRelease runs `make release` into a local registry, as CI does before
// any tag: the archives match SHA256SUMS, both binaries report the version
// (arm64 under qemu), berth's image is an index of both platforms, each
// with its SBOM, and it runs; a Dockerfile the released berth writes names
// that version's image.
func TestRelease(t *testing.T) {
	testenv.RequireDocker(t)
	_, err := os.Stat("/proc/sys/fs/binfmt_misc/qemu-aarch64")
	testenv.Require(t, "qemu-aarch64 in binfmt_misc (qemu-user-static)", err == nil, "the arm64 binary runs under qemu")
	reg := testenv.StartRegistry(t)
	dist, version := t.TempDir(), "v0.0.0-e2e"
	run(t, "make", "-C", testenv.RepoRoot(t), "release", "VERSION="+version, "RELEASE_REPO="+reg+"/berth", "DIST="+dist)
	run(t, "sh", "-c", "cd "+dist+" && sha256sum -c SHA256SUMS")
	for _, arch := range []string{"amd64", "arm64"} {
		bin := filepath.Join(dist, "cargo-berth_"+version+"_linux_"+arch, "cargo-berth")
		if got := run(t, bin, "--version"); !strings.Contains(got, version) {
			t.Errorf("the %s binary says %q, want %s", arch, got, version)
		}
	}
	ref := reg + "/berth:" + version
	checkReleaseIndex(t, ref)
	t.Cleanup(func() { docker(t, "rmi", "-f", ref) })
	docker(t, "pull", ref)
	if got := docker(t, "run", "--rm", ref, "--version"); !strings.Contains(got, version) {
		t.Errorf("berth's image says %q, want %s", got, version)
	}
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	run(t, filepath.Join(dist, "cargo-berth_"+version+"_linux_amd64", "cargo-berth"), "dockerfile", "--manifest-path", filepath.Join(project, "Cargo.toml"))
	df, err := os.ReadFile(filepath.Join(project, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(df), "ARG BERTH_IMAGE=ghcr.io/berth-dev/berth:"+version+"\n") || !strings.Contains(string(df), "berth "+version+", which wrote this file") {
		t.Errorf("the released berth's Dockerfile does not name its own image:\n%s", df)
	}
}

// checkReleaseIndex: ref is an index of linux/amd64 and linux/arm64, each
// image with a referrer (its SBOM).
func checkReleaseIndex(t *testing.T, ref string) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 2 || m.Manifests[0].Platform.String() != "linux/amd64" || m.Manifests[1].Platform.String() != "linux/arm64" {
		t.Fatalf("berth's image %s holds %+v, want linux/amd64 then linux/arm64", ref, m.Manifests)
	}
	repo := r.Context()
	for _, d := range m.Manifests {
		refs, err := remote.Referrers(repo.Digest(d.Digest.String()))
		if err != nil {
			t.Fatal(err)
		}
		if rm, err := refs.IndexManifest(); err != nil || len(rm.Manifests) == 0 {
			t.Errorf("the %s image has no SBOM referrer", d.Platform)
		}
	}
}

// run runs a program and returns its stdout, failing the test on error.
func run(t *testing.T, prog string, args ...string) string {
	t.Helper()
	out, err := exec.Command(prog, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s%s", prog, strings.Join(args, " "), err, out, stderr)
	}
	return string(out)
}
