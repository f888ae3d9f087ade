package elf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// versionedLib builds libver.so.1 in dir defining the given version nodes
// (a version script), each with one function fn_<i>.
func versionedLib(t *testing.T, dir string, versions ...string) string {
	t.Helper()
	var src, script strings.Builder
	for i, v := range versions {
		fn := "fn_" + strings.ReplaceAll(v, ".", "_")
		src.WriteString("int " + fn + "(void) { return 1; }\n")
		script.WriteString(v + " { global: " + fn + "; }")
		if i > 0 {
			script.WriteString(" " + versions[i-1])
		}
		script.WriteString(";\n")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "ver.map"), script.String())
	return gcc(t, dir, src.String(), "libver.so.1", "-shared", "-fPIC", "-Wl,-soname,libver.so.1", "-Wl,--version-script=ver.map")
}

// TestVersionCheck builds a program against a library defining VER_2.0 and
// resolves it with an older build of the library that stops at VER_1.5 first
// on the search path: ld.so would refuse to start it, so Resolve must too,
// naming the version, the library and the highest version it has.
func TestVersionCheck(t *testing.T) {
	dir := t.TempDir()
	newLib := versionedLib(t, filepath.Join(dir, "new"), "VER_1.0", "VER_1.5", "VER_2.0")
	versionedLib(t, filepath.Join(dir, "old"), "VER_1.0", "VER_1.5")
	bin := gcc(t, dir, callerC("fn_VER_2_0", "fn_VER_1_0"), "app", newLib)

	tests := []struct {
		name    string
		extra   string
		wantErr string
	}{
		{"new library", filepath.Join(dir, "new"), ""},
		{"old library", filepath.Join(dir, "old"), "needs symbol version VER_2.0 from libver.so.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(bin, Options{ExtraLibraryPaths: []string{tt.extra}})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ve *VersionError
			if !errors.As(err, &ve) {
				t.Fatalf("want a *VersionError, got %v", err)
			}
			if ve.Version != "VER_2.0" || ve.Highest != "VER_1.5" || ve.Object != bin || ve.Path != filepath.Join(tt.extra, "libver.so.1") {
				t.Errorf("got %+v", ve)
			}
			for _, want := range []string{tt.wantErr, "versions up to VER_1.5", "version `VER_2.0' not found"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

// TestReadVersionsGlibc reads a real program's needs on glibc: a program
// calling puts needs a GLIBC_2.x version from libc.so.6, which the host's
// libc defines.
func TestReadVersionsGlibc(t *testing.T) {
	bin := gcc(t, t.TempDir(), helloC, "hello")
	o, f, err := openObject(bin)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	var glibc []string
	for _, n := range o.needs {
		if n.file == "libc.so.6" && strings.HasPrefix(n.version, "GLIBC_2.") {
			glibc = append(glibc, n.version)
		}
	}
	if len(glibc) == 0 {
		t.Fatalf("no GLIBC_2.x need from libc.so.6 in %+v", o.needs)
	}
	c, err := Resolve(bin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	libc, _, err := openObject(findLib(c, "libc.so.6").Source)
	if err != nil {
		t.Fatal(err)
	}
	if h := highestOf(libc.defines, "GLIBC_2.0"); !strings.HasPrefix(h, "GLIBC_2.") {
		t.Errorf("highest GLIBC version of the host libc is %q", h)
	}
}

func TestHighestOf(t *testing.T) {
	defs := []string{"GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.3", "GLIBC_PRIVATE", "GCC_3.0", "GLIBCXX_3.4.30"}
	tests := []struct{ want, highest string }{
		{"GLIBC_2.39", "GLIBC_2.17"},
		{"GCC_7.0", "GCC_3.0"},
		{"GLIBCXX_3.4.32", "GLIBCXX_3.4.30"},
		{"CXXABI_1.3", ""},
	}
	for _, tt := range tests {
		if got := highestOf(defs, tt.want); got != tt.highest {
			t.Errorf("highestOf(%s) = %q, want %q", tt.want, got, tt.highest)
		}
	}
}
