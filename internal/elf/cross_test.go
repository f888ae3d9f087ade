package elf

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// crossGCC compiles C source src into dir/out with Debian's aarch64 cross
// compiler (gcc-aarch64-linux-gnu).
func crossGCC(t *testing.T, dir, src, out string, args ...string) string {
	t.Helper()
	cc := requireTool(t, "aarch64-linux-gnu-gcc")
	name := out + "_src.c"
	writeFile(t, filepath.Join(dir, name), src)
	run(t, dir, append([]string{cc, "-o", out, name}, args...)...)
	return filepath.Join(dir, out)
}

// TestResolveCrossMachine resolves an aarch64 program on an x86-64 host: an
// x86-64 library of the same 64-bit class and name earlier on the search path
// must be skipped (ld.so checks the machine, not only the class), and every
// library of the closure, libc from Debian's multiarch libc6:arm64 included,
// must be an aarch64 ELF file.
func TestResolveCrossMachine(t *testing.T) {
	if _, err := os.Stat("/lib/ld-linux-aarch64.so.1"); err != nil {
		if os.Getenv("BERTH_E2E") == "1" {
			t.Fatalf("libc6:arm64 is required when BERTH_E2E=1 (scripts/ci-setup.sh): %v", err)
		}
		t.Skipf("libc6:arm64 is not installed: %v", err)
	}
	dir := t.TempDir()
	armLib := filepath.Join(dir, "arm")
	if err := os.MkdirAll(armLib, 0o755); err != nil {
		t.Fatal(err)
	}
	lib := crossGCC(t, armLib, "int ffoo(void) { return 1; }\n", "libfoo.so.1", "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1")
	sharedLib(t, filepath.Join(dir, "x86"), "libfoo.so.1", "ffoo")
	bin := crossGCC(t, dir, callerC("ffoo"), "app", lib)

	c, err := Resolve(bin, Options{ExtraLibraryPaths: []string{filepath.Join(dir, "x86"), armLib}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Machine != elf.EM_AARCH64 {
		t.Fatalf("machine %s, want EM_AARCH64", c.Machine)
	}
	if foo := findLib(c, "libfoo.so.1"); foo == nil || foo.Path != filepath.Join(armLib, "libfoo.so.1") {
		t.Fatalf("libfoo.so.1 resolved to %+v, want the aarch64 one in %s", foo, armLib)
	}
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "it is for EM_X86_64, the binary is for EM_AARCH64") {
		t.Errorf("no warning about the skipped x86-64 library: %q", c.Warnings)
	}
	for _, l := range c.Libraries {
		f, err := elf.Open(l.Source)
		if err != nil {
			t.Fatal(err)
		}
		if f.Machine != elf.EM_AARCH64 {
			t.Errorf("%s (%s) is %s", l.Path, l.Source, f.Machine)
		}
		f.Close()
	}
	if findLib(c, "libc.so.6") == nil {
		t.Errorf("no libc.so.6 in %v", libPaths(c))
	}
}

// TestResolveCrossPackagesRoot resolves an aarch64 program in the root of
// Debian's cross packages (libc6-arm64-cross: /usr/aarch64-linux-gnu), the
// fallback when libc6:arm64 is not installed.
func TestResolveCrossPackagesRoot(t *testing.T) {
	const root = "/usr/aarch64-linux-gnu"
	if _, err := os.Stat(root + "/lib/libc.so.6"); err != nil {
		if os.Getenv("BERTH_E2E") == "1" {
			t.Fatalf("libc6-arm64-cross is required when BERTH_E2E=1 (scripts/ci-setup.sh): %v", err)
		}
		t.Skipf("libc6-arm64-cross is not installed: %v", err)
	}
	bin := crossGCC(t, t.TempDir(), helloC, "hello")
	c, err := Resolve(bin, Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(libPaths(c), " ")
	if got != "/lib/ld-linux-aarch64.so.1 /lib/libc.so.6" {
		t.Errorf("closure %s", got)
	}
	for _, l := range c.Libraries {
		if !strings.HasPrefix(l.Source, root+"/") {
			t.Errorf("%s read from %s, outside %s", l.Path, l.Source, root)
		}
	}
}
