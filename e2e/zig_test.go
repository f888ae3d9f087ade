package e2e

import (
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// standInZigbuild is NOT cargo-zigbuild. The real cargo-zigbuild and zig
// cannot be installed on the test machine (no crates.io, neither is
// packaged in Debian 12), so the --zig tests put this stand-in first on
// PATH. It records its arguments (and whether berth chose an arm64 linker,
// which with --zig it must not), then runs `cargo build` with them, taking
// a glibc version off --target the way cargo-zigbuild does, with Debian's
// cross gcc linking arm64 where zig would. What the tests prove is berth's
// side: the command and flags it gives cargo for each platform, that it asks
// for no cross gcc, and that the images are right; not that zig links.
const standInZigbuild = `#!/bin/bash
# STAND-IN for cargo-zigbuild, written by berth's e2e tests (see zig_test.go).
set -e
printf 'linker=%s %s\n' "${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER-}" "$*" >> "$BERTH_E2E_ZIGBUILD_LOG"
[ "$1" = zigbuild ] || { echo "stand-in cargo-zigbuild: cargo should pass zigbuild first, got $1" >&2; exit 2; }
shift
args=()
for a in "$@"; do
	case "$a" in *-linux-gnu*.[0-9]*) a=${a%%.[0-9]*} ;; esac
	args+=("$a")
done
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
exec "${CARGO:-cargo}" build "${args[@]}"
`

// standInZig is NOT zig either: it only lets berth's check find a zig.
const standInZig = "#!/bin/sh\n# STAND-IN for zig, written by berth's e2e tests (see zig_test.go).\necho 0.13.0\n"

// zigStandIns puts the stand-ins first on PATH and returns the file the
// stand-in cargo-zigbuild logs each run to, one line per run.
func zigStandIns(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	for name, body := range map[string]string{"cargo-zigbuild": standInZigbuild, "zig": standInZig} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	log := filepath.Join(t.TempDir(), "zigbuild.log")
	t.Setenv("BERTH_E2E_ZIGBUILD_LOG", log)
	return log
}

// zigRuns are the stand-in's logged runs.
func zigRuns(t *testing.T, log string) []string {
	t.Helper()
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatalf("cargo zigbuild never ran: %v", err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// TestZigPlatforms: with --zig, berth runs `cargo zigbuild` (here the
// stand-in above) for each platform, with cargo build's flags, --target
// for arm64 and no linker of its own, and the index holds an amd64 and an
// all-aarch64 arm64 image.
func TestZigPlatforms(t *testing.T) {
	crossCargo(t)
	log := zigStandIns(t)
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	out := filepath.Join(t.TempDir(), "layout")
	res := mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--platform", "linux/amd64,linux/arm64", "--zig", "--oci-layout", out)
	if !strings.Contains(res.stderr, "linux/arm64: linking with zig") || strings.Contains(res.stderr, "aarch64-linux-gnu-gcc") {
		t.Errorf("stderr should say zig links arm64, and name no cross gcc:\n%s", res.stderr)
	}
	runs := zigRuns(t, log)
	common := "zigbuild --manifest-path " + filepath.Join(project, "Cargo.toml") + " --package hello-service --bin hello-service --profile release"
	want := []string{
		"linker= " + common + " --message-format=json-render-diagnostics",
		"linker= " + common + " --target aarch64-unknown-linux-gnu --message-format=json-render-diagnostics",
	}
	if strings.Join(runs, "\n") != strings.Join(want, "\n") {
		t.Errorf("cargo-zigbuild ran as:\n%s\nwant (amd64, the host, then arm64):\n%s", strings.Join(runs, "\n"), strings.Join(want, "\n"))
	}
	idx, m := layoutIndex(t, out)
	checkAmd64Arm64(t, idx, m)
}

// TestZigGlibcTarget: zigbuild's glibc spelling of --target reaches cargo
// zigbuild as given, while the rest of the build uses the real triple:
// cargo metadata, which lists the crates for the SBOM and would fail the
// build on the suffixed one. BERTH_ZIG turns zig on.
func TestZigGlibcTarget(t *testing.T) {
	crossCargo(t)
	log := zigStandIns(t)
	t.Setenv("BERTH_ZIG", "true")
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	out := filepath.Join(t.TempDir(), "layout")
	mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--target", "x86_64-unknown-linux-gnu.2.17", "--oci-layout", out)
	runs := zigRuns(t, log)
	if len(runs) != 1 || !strings.Contains(runs[0], " --target x86_64-unknown-linux-gnu.2.17 ") {
		t.Errorf("cargo-zigbuild ran as %q, want one run with --target x86_64-unknown-linux-gnu.2.17", runs)
	}
	img := layoutImage(t, out)
	if files := imageFiles(t, img); !files["/usr/local/bin/hello-service"] {
		t.Errorf("the image has no binary: %v", files)
	}
}

// TestZigCookStage: cook and stage take --zig from the one flags type, so
// for linux/arm64 both run cargo zigbuild with the same target, and the
// staged root holds aarch64 files.
func TestZigCookStage(t *testing.T) {
	crossCargo(t)
	log := zigStandIns(t)
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	recipePath := filepath.Join(t.TempDir(), "recipe.json")
	mustBerth(t, "prepare", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--recipe-path", recipePath)
	work := filepath.Join(t.TempDir(), "app")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	mustBerth(t, "cook", "--recipe-path", recipePath, "--dir", work, "--profile", "release", "--platform", "linux/arm64", "--zig")
	if err := testenv.CopyTree(project, work); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rootfs")
	mustBerth(t, "stage", "--manifest-path", filepath.Join(work, "Cargo.toml"), "--platform", "linux/arm64", "--zig", "--out", out)
	runs := zigRuns(t, log)
	if len(runs) != 2 {
		t.Fatalf("cargo-zigbuild ran %d times, want cook then stage: %q", len(runs), runs)
	}
	for i, r := range runs {
		if !strings.HasPrefix(r, "linker= zigbuild ") || !strings.Contains(r, "--profile release") || !strings.Contains(r, "--target aarch64-unknown-linux-gnu") {
			t.Errorf("run %d = %q, want zigbuild --profile release --target aarch64-unknown-linux-gnu and no linker from berth", i, r)
		}
	}
	f, err := elf.Open(filepath.Join(out, "usr", "local", "bin", "hello-service"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("staged binary is %s", f.Machine)
	}
}

// TestZigMissing: with no cargo-zigbuild and no zig, --zig (or BERTH_ZIG,
// or cook --zig) is a usage error naming both and how to install them, and
// nothing is written: no image, no target directory, no lockfile, no
// skeleton.
func TestZigMissing(t *testing.T) {
	crossCargo(t)
	if p, err := exec.LookPath("cargo-zigbuild"); err == nil {
		t.Skipf("cargo-zigbuild is installed (%s)", p)
	}
	t.Setenv("CARGO_ZIGBUILD_ZIG_PATH", "/nonexistent/zig")
	t.Setenv("CARGO_ZIGBUILD_PYTHON_PATH", "/nonexistent/python3") // no `python3 -m ziglang` either
	cases := []struct {
		name string
		env  string
		args func(project, out string) []string
		from string
	}{
		{"build --zig", "", func(project, out string) []string {
			return []string{"build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--platform", "linux/amd64,linux/arm64", "--zig", "--oci-layout", out}
		}, "from --zig"},
		{"BERTH_ZIG", "true", func(project, out string) []string {
			return []string{"build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--oci-layout", out}
		}, "from BERTH_ZIG"},
		{"stage --zig", "", func(project, out string) []string {
			return []string{"stage", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--zig", "--out", out}
		}, "from --zig"},
		{"cook --zig", "", func(project, out string) []string {
			recipePath := filepath.Join(t.TempDir(), "recipe.json")
			mustBerth(t, "prepare", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--recipe-path", recipePath)
			return []string{"cook", "--recipe-path", recipePath, "--dir", out, "--zig", "--platform", "linux/arm64"}
		}, "from --zig"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("BERTH_ZIG", c.env)
			}
			project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
			out := filepath.Join(t.TempDir(), "out")
			if c.name == "cook --zig" {
				if err := os.Mkdir(out, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			r := berth(t, c.args(project, out)...)
			for _, want := range []string{c.from, "nothing was built", "cargo install --locked cargo-zigbuild", "https://ziglang.org/download/", "pip install ziglang"} {
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
