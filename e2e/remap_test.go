package e2e

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// remapFixture is e2e/testdata/remap: pathprint, whose dependency whereami
// (vendored, with itoa from Debian's registry) puts its own source path
// into the binary through file!() and a panic location.
func remapFixture(t *testing.T) string {
	t.Helper()
	return filepath.Join(testenv.RepoRoot(t), "e2e", "testdata", "remap")
}

// vendoredHome makes a CARGO_HOME at home whose crates.io is the directory
// source home/vendor, holding whereami and Debian's itoa: the crates'
// sources live under CARGO_HOME, as crates.io's do.
func vendoredHome(t *testing.T, home string) string {
	t.Helper()
	vendor := filepath.Join(home, "vendor")
	if err := os.MkdirAll(vendor, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := testenv.WriteVendoredCargoConfig(home); err != nil {
		t.Fatal(err)
	}
	itoa, _ := filepath.Glob(filepath.Join(testenv.DebianCrateRegistry, "itoa-1.*"))
	if len(itoa) == 0 {
		t.Fatalf("no itoa 1.x in %s", testenv.DebianCrateRegistry)
	}
	for src, dst := range map[string]string{
		filepath.Join(remapFixture(t), "whereami-0.1.0"): "whereami-0.1.0",
		itoa[0]: filepath.Base(itoa[0]),
	} {
		if err := testenv.CopyTree(src, filepath.Join(vendor, dst)); err != nil {
			t.Fatal(err)
		}
	}
	return home
}

// checkout copies pathprint to dir and returns its manifest.
func checkout(t *testing.T, dir string) string {
	t.Helper()
	if err := testenv.CopyTree(filepath.Join(remapFixture(t), "pathprint"), dir); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "Cargo.toml")
}

// remapEnv is what every remap test needs: cargo, Debian's itoa, and a
// cache of the test's own.
func remapEnv(t *testing.T) {
	t.Helper()
	offlineCargo(t) // RUSTUP_HOME; CARGO_HOME is set per build
	testenv.RequireDebianCrates(t, "itoa")
	t.Setenv("BERTH_CACHE_DIR", t.TempDir())
}

// TestRemapReproduces: pathprint built from two checkout paths with two
// CARGO_HOMEs (its crates under each) gives one image digest; without the
// remap (--remap-paths=false, the control) the digests differ, because the
// binary holds whereami's path under CARGO_HOME.
func TestRemapReproduces(t *testing.T) {
	remapEnv(t)
	type machine struct{ home, manifest string }
	machines := []machine{
		{vendoredHome(t, filepath.Join(t.TempDir(), "alice", ".cargo")), checkout(t, filepath.Join(t.TempDir(), "src", "pathprint"))},
		{vendoredHome(t, filepath.Join(t.TempDir(), "ci-runner", "cargo-home")), checkout(t, filepath.Join(t.TempDir(), "w", "checkouts", "build-2", "pathprint"))},
	}
	for _, tt := range []struct {
		name  string
		flags []string
		same  bool
	}{
		{"remapped", nil, true},
		{"control without remap", []string{"--remap-paths=false"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var digests []string
			for _, m := range machines {
				t.Setenv("CARGO_HOME", m.home)
				args := append([]string{"build", "--manifest-path", m.manifest, "-t", "pathprint:remap"}, tt.flags...)
				digests = append(digests, digestOf(t, mustBerth(t, args...).stdout))
			}
			if same := digests[0] == digests[1]; same != tt.same {
				t.Errorf("digests %s and %s: same = %v, want %v", digests[0], digests[1], same, tt.same)
			}
		})
	}
}

// TestRemapFresh: berth's remapped builds and a plain `cargo build
// --release` no longer recompile each other's dependencies: berth, then
// cargo, then berth again compiles nothing. The control runs plain cargo
// in berth's own target directory, where the rustflags differ: it
// recompiles, which is what sharing one directory would do on every switch
// (and what shows this test can see a recompile).
func TestRemapFresh(t *testing.T) {
	remapEnv(t)
	t.Setenv("CARGO_HOME", vendoredHome(t, filepath.Join(t.TempDir(), "home")))
	dir := filepath.Join(t.TempDir(), "pathprint")
	manifest := checkout(t, dir)
	build := func() string {
		return mustBerth(t, "build", "--manifest-path", manifest, "-t", "pathprint:fresh").stderr
	}
	cargoBuild := func(env ...string) string {
		cmd := exec.Command("cargo", "build", "--release", "--manifest-path", manifest)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("cargo build --release: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := build(); !strings.Contains(out, "Compiling whereami") {
		t.Fatalf("the first berth build compiled no whereami:\n%s", out)
	}
	if out := cargoBuild(); !strings.Contains(out, "Compiling whereami") {
		t.Fatalf("cargo build --release compiled no whereami in its own target directory:\n%s", out)
	}
	if out := build(); strings.Contains(out, "Compiling") {
		t.Errorf("berth recompiled after a plain cargo build:\n%s", out)
	}
	if out := cargoBuild(); strings.Contains(out, "Compiling") {
		t.Errorf("cargo build --release recompiled after berth:\n%s", out)
	}
	shared := "CARGO_TARGET_DIR=" + filepath.Join(dir, "target", ".berth")
	if out := cargoBuild(shared); !strings.Contains(out, "Compiling whereami") {
		t.Errorf("control: plain cargo in berth's target directory did not recompile whereami (the rustflags differ):\n%s", out)
	}
}

// TestRemapJoinsConfigRustflags: the remap joins the rustflags of a
// .cargo/config.toml target table (which makes cargo ignore
// build.rustflags) in a host build, which names no triple: the binary has
// both the user's cfg and the neutral path.
func TestRemapJoinsConfigRustflags(t *testing.T) {
	remapEnv(t)
	t.Setenv("CARGO_HOME", vendoredHome(t, filepath.Join(t.TempDir(), "home")))
	dir := filepath.Join(t.TempDir(), "pathprint")
	manifest := checkout(t, dir)
	config := "[target.'cfg(unix)']\nrustflags = [\"--cfg\", \"berth_cfg\"]\n"
	if err := os.MkdirAll(filepath.Join(dir, ".cargo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".cargo", "config.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // cargo reads .cargo/config.toml from the working directory up
	mustBerth(t, "build", "--manifest-path", manifest, "-t", "pathprint:config")
	out, err := exec.Command(filepath.Join(dir, "target", ".berth", "release", "pathprint")).CombinedOutput()
	if err != nil {
		t.Fatalf("running the binary berth built: %v\n%s", err, out)
	}
	for _, want := range []string{"/berth/cargo-home/vendor/whereami-0.1.0/src/lib.rs", "berth_cfg on"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the binary printed %q, want %q in it", out, want)
		}
	}
}

// TestRemapReproducesAsAnotherUser: the "another user". pathprint
// built by root (umask 022) and by nobody (umask 077), each from its own
// checkout path with its own HOME, CARGO_HOME (its crates under it) and
// cache, gives one image digest. Both run the cargo-berth command with
// Debian's cargo and rustc: rustup's toolchain lives under root's home,
// which no other user can read.
func TestRemapReproducesAsAnotherUser(t *testing.T) {
	testenv.Require(t, "root (to run a build as another user)", os.Geteuid() == 0, "the tests do not run as root")
	cargo := debianCargo(t)
	testenv.RequireDebianCrates(t, "itoa")
	shared, err := os.MkdirTemp("", "berth-e2e-users-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shared) })
	if err := os.Chmod(shared, 0o755); err != nil { // MkdirTemp makes it 0700
		t.Fatal(err)
	}
	// realBerth's directory (only the command in it) is 0700 too.
	if err := testenv.CopyTree(filepath.Dir(realBerth(t)), filepath.Join(shared, "bin")); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(shared, "bin", "cargo-berth")
	var digests []string
	for _, u := range []struct {
		name, umask string
		id          uint32
	}{{"root", "022", 0}, {"nobody", "077", 65534}} {
		home := filepath.Join(shared, u.name)
		vendoredHome(t, filepath.Join(home, ".cargo"))
		manifest := checkout(t, filepath.Join(home, "src", "pathprint"))
		chownTree(t, home, int(u.id))
		cmd := exec.Command("/bin/sh", "-c", "umask "+u.umask+" && exec \"$@\"", "sh",
			bin, "build", "--manifest-path", manifest, "--oci-layout", filepath.Join(home, "image"))
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + home, "CARGO_HOME=" + filepath.Join(home, ".cargo"),
			"CARGO=" + cargo, "RUSTC=/usr/bin/rustc", "BERTH_CACHE_DIR=" + filepath.Join(home, "cache")}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.id, Gid: u.id}}
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("cargo berth build as %s: %v\n%s", u.name, err, stderr.String())
		}
		digests = append(digests, digestOf(t, stdout.String()))
	}
	if digests[0] != digests[1] {
		t.Errorf("root and nobody gave %s and %s", digests[0], digests[1])
	}
}

// chownTree gives everything under dir, dir included, to uid (its group
// the same number).
func chownTree(t *testing.T, dir string, uid int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}
