package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// versionedLibs builds, with the host's gcc, libver.so.1 twice: new/ defines
// symbol versions up to VER_2.0 (a version script, as glibc does), old/ only
// up to VER_1.5; and app, linked against the new one, which needs VER_2.0.
func versionedLibs(t *testing.T) (dir, app string) {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	testenv.Require(t, "gcc", err == nil, "not on PATH")
	dir = t.TempDir()
	build := func(sub, script, src string) {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range map[string]string{"ver.map": script, "ver.c": src} {
			if err := os.WriteFile(filepath.Join(d, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		gccRun(t, d, gcc, "-shared", "-fPIC", "-Wl,-soname,libver.so.1", "-Wl,--version-script=ver.map", "-o", "libver.so.1", "ver.c")
	}
	build("old", "VER_1.0 { global: v1; }; VER_1.5 { global: v15; } VER_1.0;\n", "int v1(void){return 1;}\nint v15(void){return 2;}\n")
	build("new", "VER_1.0 { global: v1; }; VER_1.5 { global: v15; } VER_1.0; VER_2.0 { global: v2; } VER_1.5;\n",
		"int v1(void){return 1;}\nint v15(void){return 2;}\nint v2(void){return 3;}\n")
	if err := os.WriteFile(filepath.Join(dir, "app.c"), []byte("int v1(void); int v2(void);\nint main(void){return v1()+v2() == 4 ? 0 : 1;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gccRun(t, dir, gcc, "-o", "app", "app.c", "new/libver.so.1")
	return dir, filepath.Join(dir, "app")
}

func gccRun(t *testing.T, dir string, argv ...string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

// TestSymbolVersionCheck: a binary needing a newer symbol version than the
// libraries it would run with provide fails the build, naming the version,
// the library and what it has, and writes nothing: first when the closure's
// library is older (a runtime directory holding the old build), then when
// the --base image's is.
func TestSymbolVersionCheck(t *testing.T) {
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	dir, app := versionedLibs(t)
	wants := []string{"needs symbol version VER_2.0 from libver.so.1", "versions up to VER_1.5", "version `VER_2.0' not found"}

	out := filepath.Join(t.TempDir(), "layout")
	r := berth(t, "build", "--binary", app, "--library-path", filepath.Join(dir, "old"), "--oci-layout", out)
	checkVersionFailure(t, r, out, wants)

	base := reg + "/berth-e2e/old-libver:1"
	mustBerth(t, "build", "--binary", "/usr/bin/true", "--include", filepath.Join(dir, "old", "libver.so.1")+":/usr/lib/libver.so.1", "--push", "-t", base)
	r = berth(t, "build", "--binary", app, "--library-path", filepath.Join(dir, "new"), "--base", base, "--oci-layout", out)
	checkVersionFailure(t, r, out, append(wants, "cannot run on base image "+base, "(/usr/lib/libver.so.1)"))

	// The same binary on a base with the new library builds.
	good := reg + "/berth-e2e/new-libver:1"
	mustBerth(t, "build", "--binary", "/usr/bin/true", "--include", filepath.Join(dir, "new", "libver.so.1")+":/usr/lib/libver.so.1", "--push", "-t", good)
	mustBerth(t, "build", "--binary", app, "--library-path", filepath.Join(dir, "new"), "--base", good, "--oci-layout", out)
}

func checkVersionFailure(t *testing.T, r result, out string, wants []string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("build succeeded; stderr:\n%s", r.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output %s was written (%v)", out, err)
	}
}
