package e2e

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// crossCargo points this test at Debian's own Rust (rustc 1.63 and cargo at
// /usr/bin, with the arm64 std from libstd-rust-dev:arm64): rustup cannot
// download targets here. PATH keeps rustup's cargo first, so CARGO and RUSTC
// name Debian's explicitly, which is also how a user picks a toolchain.
func crossCargo(t *testing.T) {
	t.Helper()
	offlineCargo(t)
	requireFiles(t, map[string]string{
		"the arm64 std (apt install libstd-rust-dev:arm64)": "/usr/lib/rustlib/aarch64-unknown-linux-gnu/lib",
		"the arm64 glibc (apt install libc6:arm64)":         "/lib/ld-linux-aarch64.so.1",
		"the aarch64 cross gcc (gcc-aarch64-linux-gnu)":     "/usr/bin/aarch64-linux-gnu-gcc",
		"qemu-aarch64 in binfmt_misc (qemu-user-static)":    "/proc/sys/fs/binfmt_misc/qemu-aarch64",
	})
	t.Setenv("CARGO", debianCargo(t))
	t.Setenv("RUSTC", "/usr/bin/rustc")
}

// debianCargo checks that Debian's cargo and rustc are installed and
// returns the cargo's path.
func debianCargo(t *testing.T) string {
	t.Helper()
	requireFiles(t, map[string]string{
		"Debian's cargo (apt install cargo)": "/usr/bin/cargo",
		"Debian's rustc (apt install rustc)": "/usr/bin/rustc",
	})
	return "/usr/bin/cargo"
}

// requireFiles requires each path, named by what it is.
func requireFiles(t *testing.T, paths map[string]string) {
	t.Helper()
	for what, path := range paths {
		_, err := os.Stat(path)
		testenv.Require(t, what, err == nil, path+" is missing")
	}
}

// copyForDebianCargo copies an example or fixture without its Cargo.lock:
// lockfile version 4 is newer than Debian's cargo 1.65 reads.
func copyForDebianCargo(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := testenv.CopyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dst, "Cargo.lock")); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return dst
}

// layoutIndex reads the image index an OCI layout names (a multi-platform
// build's index.json lists it once per tag).
func layoutIndex(t *testing.T, dir string) (v1.ImageIndex, *v1.IndexManifest) {
	t.Helper()
	outer := layoutRoot(t, dir)
	om, err := outer.IndexManifest()
	var indexes []v1.Descriptor // beside them: the SBOM artifacts
	for _, d := range om.Manifests {
		if d.MediaType.IsIndex() {
			indexes = append(indexes, d)
		}
	}
	if err != nil || len(indexes) != 1 {
		t.Fatalf("layout %s: want index.json naming one image index, got %+v (%v)", dir, om, err)
	}
	idx, err := outer.ImageIndex(indexes[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	return idx, m
}

// TestMultiPlatformLayout builds the std-only example for amd64 and arm64 in
// one run with no emulation: the layout holds an index of two manifests with
// their platforms, the arm64 image's libraries are aarch64 ELF files, and a
// second build gives the same index digest.
func TestMultiPlatformLayout(t *testing.T) {
	crossCargo(t)
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	out := filepath.Join(t.TempDir(), "layout")
	args := []string{"build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--platform", "linux/amd64,linux/arm64", "--oci-layout", out}
	first := mustBerth(t, args...)
	if !strings.Contains(first.stderr, "linking with aarch64-linux-gnu-gcc") {
		t.Errorf("stderr does not say which linker berth chose:\n%s", first.stderr)
	}
	for _, p := range []string{"linux/amd64: sha256:", "linux/arm64: sha256:"} {
		if !strings.Contains(first.stderr, p) {
			t.Errorf("stderr has no per-platform digest %q:\n%s", p, first.stderr)
		}
	}
	idx, m := layoutIndex(t, out)
	d, _ := idx.Digest()
	if got := digestOf(t, first.stdout); got != d.String() {
		t.Errorf("stdout digest %s, layout's index %s", got, d)
	}
	checkAmd64Arm64(t, idx, m)
	checkPlatformSBOMs(t, out, m.Manifests)
	var second buildReport
	if out := mustBerth(t, append(args, "--json")...).stdout; json.Unmarshal([]byte(out), &second) != nil {
		t.Fatalf("--json printed %q", out)
	}
	if len(second.Images) != 1 || second.Images[0].Digest != digestOf(t, first.stdout) {
		t.Fatalf("second build (--json) = %+v, want the index digest %s", second, digestOf(t, first.stdout))
	}
	for i, pm := range second.Images[0].Manifests {
		if i >= len(m.Manifests) || pm.Digest != m.Manifests[i].Digest.String() || pm.Platform != m.Manifests[i].Platform.String() || pm.SBOM == nil {
			t.Errorf("--json manifest %d = %+v, want %s %s with an SBOM", i, pm, m.Manifests[i].Platform, m.Manifests[i].Digest)
		}
	}
}

// checkAmd64Arm64: the index lists linux/amd64 then linux/arm64, and every
// ELF file of the arm64 image (the binary, ld.so, libc, libgcc_s) is aarch64.
func checkAmd64Arm64(t *testing.T, idx v1.ImageIndex, m *v1.IndexManifest) {
	t.Helper()
	if len(m.Manifests) != 2 || m.Manifests[0].Platform.String() != "linux/amd64" || m.Manifests[1].Platform.String() != "linux/arm64" {
		t.Fatalf("index manifests = %+v, want linux/amd64 then linux/arm64", m.Manifests)
	}
	arm, err := idx.Image(m.Manifests[1].Digest)
	if err != nil {
		t.Fatal(err)
	}
	machines := elfMachines(t, arm)
	if len(machines) < 3 {
		t.Errorf("arm64 image has %d ELF files, want the binary, ld.so, libc and libgcc_s: %v", len(machines), machines)
	}
	for p, mach := range machines {
		if mach != elf.EM_AARCH64 {
			t.Errorf("arm64 image: %s is %s", p, mach)
		}
	}
}

// checkPlatformSBOMs: beside the index, the layout holds one SBOM artifact
// for each platform's image, with that image as its subject.
func checkPlatformSBOMs(t *testing.T, dir string, platforms []v1.Descriptor) {
	t.Helper()
	root := layoutRoot(t, dir)
	rm, err := root.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]bool{}
	for _, desc := range rm.Manifests {
		if desc.MediaType.IsIndex() {
			continue
		}
		art, err := root.Image(desc.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if mf, err := art.Manifest(); err == nil && mf.Subject != nil && mf.ArtifactType == "application/spdx+json" {
			subjects[mf.Subject.Digest.String()] = true
		}
	}
	for _, p := range platforms {
		if !subjects[p.Digest.String()] {
			t.Errorf("no SBOM artifact about the %s image %s", p.Platform, p.Digest)
		}
	}
}

// elfMachines maps every ELF file of img's layers to its machine.
func elfMachines(t *testing.T, img v1.Image) map[string]elf.Machine {
	t.Helper()
	out := map[string]elf.Machine{}
	eachLayerEntry(t, img, func(h *tar.Header, r io.Reader) bool {
		data, _ := io.ReadAll(r)
		if h.Typeflag != tar.TypeReg || !bytes.HasPrefix(data, []byte("\x7fELF")) {
			return true
		}
		f, err := elf.NewFile(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		out[h.Name] = f.Machine
		return true
	})
	return out
}

// TestMultiPlatformPushRun pushes the hyper service for amd64 and arm64 to a
// real registry, pulls the arm64 image with docker and runs it under qemu
// (emulation only runs the result): it reports aarch64 and serves HTTP as
// the nonroot user.
func TestMultiPlatformPushRun(t *testing.T) {
	crossCargo(t)
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json")
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	project := testenv.CopyFixture(t, "hyper-service")
	ref := reg + "/berth-e2e/hyper-multi:1"
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })

	res := mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"),
		"--platform", "linux/amd64", "--platform", "linux/arm64", "--push", "-t", ref)
	if !strings.HasPrefix(res.stdout, ref+"@sha256:") {
		t.Errorf("stdout = %q, want %s@sha256:<index digest>", res.stdout, ref)
	}
	docker(t, "pull", "--platform", "linux/arm64", ref)
	checkArm64Service(t, ref)
}

// checkArm64Service checks that the local image is arm64 and, run under
// qemu, that the hyper service answers as aarch64 and user 65532.
func checkArm64Service(t *testing.T, ref string) {
	t.Helper()
	if arch := strings.TrimSpace(docker(t, "image", "inspect", "--format", "{{.Architecture}}", ref)); arch != "arm64" {
		t.Errorf("image %s is for %q, want arm64", ref, arch)
	}
	var body struct {
		Arch string `json:"arch"`
		UID  int    `json:"uid"`
	}
	if err := json.Unmarshal([]byte(runService(t, ref, "--platform", "linux/arm64")), &body); err != nil {
		t.Fatal(err)
	}
	if body.Arch != "aarch64" || body.UID != 65532 {
		t.Errorf("arm64 container answered %+v, want aarch64 as uid 65532", body)
	}
}

// TestPlatformWithoutStd asks for a platform whose Rust std is not installed:
// the build stops before cargo runs, says what to install, and writes nothing.
func TestPlatformWithoutStd(t *testing.T) {
	crossCargo(t)
	if _, err := os.Stat("/usr/lib/rustlib/riscv64gc-unknown-linux-gnu"); err == nil {
		t.Skip("the riscv64 std is installed here")
	}
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	out := filepath.Join(t.TempDir(), "layout")
	r := berth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--platform", "linux/amd64,linux/riscv64", "--oci-layout", out)
	if r.code == 0 {
		t.Fatalf("build succeeded without a riscv64 std:\n%s", r.stderr)
	}
	for _, want := range []string{"linux/riscv64", "riscv64gc-unknown-linux-gnu", "rustup target add riscv64gc-unknown-linux-gnu", "libstd-rust-dev:riscv64", "nothing was built"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the layout %s was written (%v)", out, err)
	}
	if _, err := os.Stat(filepath.Join(project, "target")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cargo ran before the platforms were checked (%v)", err)
	}
}

// TestRuntimeFrom builds for amd64 and arm64 with the runtime files taken
// from a per-platform runtime image made here and pushed as an index: the
// arm64 image's libraries come from the runtime image (aarch64 ELF files),
// and a runtime image lacking a library the binary needs fails the build
// naming it, although the build machine has it.
func TestRuntimeFrom(t *testing.T) {
	crossCargo(t)
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	dir := t.TempDir()
	// The runtime images: a C program per platform, packaged by berth, so
	// each holds libc and ld.so but not libgcc_s.
	hello := "#include <stdio.h>\nint main(void){puts(\"rt\");return 0;}\n"
	if err := os.WriteFile(filepath.Join(dir, "rt.c"), []byte(hello), 0o644); err != nil {
		t.Fatal(err)
	}
	gccRun(t, dir, "gcc", "-o", "rt-amd64", "rt.c")
	gccRun(t, dir, "aarch64-linux-gnu-gcc", "-o", "rt-arm64", "rt.c")
	var parts []string
	for _, arch := range []string{"amd64", "arm64"} {
		ref := reg + "/berth-e2e/rt:" + arch
		mustBerth(t, "build", "--binary", filepath.Join(dir, "rt-"+arch), "--push", "-t", ref)
		parts = append(parts, ref)
	}
	runtimeRef := reg + "/berth-e2e/rt:multi"
	pushIndex(t, runtimeRef, parts...)

	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	out := filepath.Join(t.TempDir(), "layout")
	t.Setenv("BERTH_CACHE_DIR", t.TempDir())
	r := berth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--platform", "linux/amd64,linux/arm64",
		"--runtime-from", runtimeRef, "--oci-layout", out)
	if r.code == 0 || !strings.Contains(r.stderr, "libgcc_s.so.1") {
		t.Fatalf("build on a runtime without libgcc_s: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the layout was written after a failure (%v)", err)
	}

	// A binary the runtime image has everything for: its arm64 image is
	// made of the runtime image's files.
	mustBerth(t, "build", "--binary", filepath.Join(dir, "rt-arm64"), "--runtime-from", runtimeRef, "--oci-layout", out)
	img := layoutImage(t, out)
	machines := elfMachines(t, img)
	if len(machines) < 3 {
		t.Errorf("want the binary, ld.so and libc, got %v", machines)
	}
	for p, m := range machines {
		if m != elf.EM_AARCH64 {
			t.Errorf("%s is %s", p, m)
		}
	}
}

// pushIndex pushes an index of the images at refs (one per platform) as ref.
func pushIndex(t *testing.T, ref string, refs ...string) {
	t.Helper()
	var ms []image.Manifest
	for _, r := range refs {
		img, err := crane.Pull(r)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, image.Manifest{Image: img, Platform: *cf.Platform()})
	}
	idx, err := image.Index(ms)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
}

// TestCookStagePlatform is the Dockerfile's builder stage with --platform,
// run here without Docker: cook and stage cross-compile for arm64 with the
// same target and linker, so stage compiles the service crate alone, and the
// staged root holds aarch64 files only.
func TestCookStagePlatform(t *testing.T) {
	crossCargo(t)
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json")
	project := testenv.CopyFixture(t, "hyper-service")
	gccRun(t, project, "/usr/bin/cargo", "generate-lockfile", "--offline")
	recipePath := filepath.Join(t.TempDir(), "recipe.json")
	mustBerth(t, "prepare", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--recipe-path", recipePath)
	work := filepath.Join(t.TempDir(), "app")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	cook := mustBerth(t, "cook", "--recipe-path", recipePath, "--dir", work, "--profile", "release", "--platform", "linux/arm64")
	if !strings.Contains(cook.stderr, "linking with aarch64-linux-gnu-gcc") {
		t.Errorf("cook does not say which linker it uses:\n%s", cook.stderr)
	}
	if err := testenv.CopyTree(project, work); err != nil {
		t.Fatal(err)
	}
	out, app := filepath.Join(t.TempDir(), "rootfs"), filepath.Join(t.TempDir(), "app")
	stage := mustBerth(t, "stage", "--manifest-path", filepath.Join(work, "Cargo.toml"), "--platform", "linux/arm64",
		"--recipe-path", recipePath, "--out", out, "--app-out", app)
	if strings.Contains(stage.stderr, "Compiling tokio") || !strings.Contains(stage.stderr, "Compiling hyper-service") {
		t.Errorf("stage compiled more than the service crate (or not it):\n%s", stage.stderr)
	}
	var files []string
	for _, dir := range []string{out, app} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files = append(files, p)
			}
			return err
		})
	}
	elfs := 0
	for _, p := range files {
		f, err := elf.Open(p)
		if err != nil {
			continue // not ELF: passwd, CA bundle
		}
		elfs++
		if f.Machine != elf.EM_AARCH64 {
			t.Errorf("%s is %s", p, f.Machine)
		}
		f.Close()
	}
	if elfs < 4 {
		t.Errorf("staged %d ELF files, want the binary, ld.so, libc and libgcc_s: %v", elfs, files)
	}
}

// TestBinaryPlatformMismatch packages a prebuilt aarch64 binary asking for
// linux/amd64: the build stops, says what the binary is, and writes nothing.
func TestBinaryPlatformMismatch(t *testing.T) {
	crossCargo(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.c"), []byte("int main(void){return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gccRun(t, dir, "aarch64-linux-gnu-gcc", "-o", "a", "a.c")
	out := filepath.Join(dir, "layout")
	r := berth(t, "build", "--binary", filepath.Join(dir, "a"), "--platform", "linux/amd64", "--oci-layout", out)
	if r.code == 0 || !strings.Contains(r.stderr, "is a binary for linux/arm64, but platform linux/amd64 was asked for") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the layout was written (%v)", err)
	}
}
