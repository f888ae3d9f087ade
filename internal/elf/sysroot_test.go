package elf

import (
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// copyFile copies a host file (following symlinks) to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestResolveSysroot resolves inside a small merged-/usr Debian-like sysroot
// built from copies of the host's libc: absolute symlinks must stay inside the
// root, ld.so.conf includes (absolute and relative) must be followed, and a
// 32-bit library earlier in the search path must be skipped.
func TestResolveSysroot(t *testing.T) {
	build := t.TempDir()
	host := gcc(t, build, helloC, "probe")
	hostClosure, err := Resolve(host, Options{})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	const tuple = "x86_64-linux-gnu"
	if multiarchTuple(hostClosure.Machine, hostClosure.Class) != tuple {
		t.Skip("sysroot test is written for x86_64 Debian")
	}
	symlink(t, "usr/lib", filepath.Join(root, "lib"))
	symlink(t, "usr/lib64", filepath.Join(root, "lib64"))
	symlink(t, "/lib/"+tuple+"/ld-linux-x86-64.so.2", filepath.Join(root, "usr/lib64/ld-linux-x86-64.so.2"))
	libdir := filepath.Join(root, "usr/lib", tuple)
	for _, l := range hostClosure.Libraries {
		copyFile(t, l.Source, filepath.Join(libdir, filepath.Base(l.Real)))
	}
	writeFile(t, filepath.Join(root, "etc/ld.so.conf"), "# test\ninclude /etc/ld.so.conf.d/*.conf\ninclude extra.d/*.conf\n")
	writeFile(t, filepath.Join(root, "etc/ld.so.conf.d/10-i386.conf"), "/opt/i386/lib\n")
	writeFile(t, filepath.Join(root, "etc/extra.d/20-foo.conf"), "/opt/foo/lib # trailing comment\n")
	requireMultilib32(t, build)
	sharedLib(t, filepath.Join(root, "opt/i386/lib"), "libfoo.so.1", "ffoo", "-m32", "-nostdlib")
	foo := sharedLib(t, filepath.Join(root, "opt/foo/lib"), "libfoo.so.1.2.3", "ffoo", "-Wl,-soname,libfoo.so.1")
	symlink(t, "libfoo.so.1.2.3", filepath.Join(root, "opt/foo/lib/libfoo.so.1"))
	bin := gcc(t, build, callerC("ffoo"), "app", foo)

	c, err := Resolve(bin, Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/lib/" + tuple + "/libc.so.6", "/lib64/ld-linux-x86-64.so.2", "/opt/foo/lib/libfoo.so.1"}
	if got := libPaths(c); !slices.Equal(got, want) {
		t.Fatalf("libraries = %v, want %v", got, want)
	}
	for _, l := range c.Libraries {
		if !strings.HasPrefix(l.Source, root) {
			t.Errorf("%s: Source %s escapes the root", l.Path, l.Source)
		}
		checkLibrary(t, root, l)
	}
	interp := findLib(c, "ld-linux-x86-64.so.2")
	wantLinks := []Link{{Path: "/lib64", Target: "usr/lib64"}, {Path: "/usr/lib64/ld-linux-x86-64.so.2", Target: "/lib/" + tuple + "/ld-linux-x86-64.so.2"}, {Path: "/lib", Target: "usr/lib"}}
	if !slices.Equal(interp.Links, wantLinks) || interp.Real != "/usr/lib/"+tuple+"/ld-linux-x86-64.so.2" {
		t.Errorf("interpreter = %s %v, want Real in /usr/lib with links %v", interp.Real, interp.Links, wantLinks)
	}
	libfoo := findLib(c, "libfoo.so.1")
	if libfoo.Via != "ldconfig" || libfoo.Real != "/opt/foo/lib/libfoo.so.1.2.3" {
		t.Errorf("libfoo = %+v, want Via ldconfig and Real libfoo.so.1.2.3", libfoo)
	}
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "skipped /opt/i386/lib/libfoo.so.1") {
		t.Errorf("warnings %q, want the 32-bit libfoo skipped", c.Warnings)
	}
}

// requireMultilib32 skips when gcc cannot compile 32-bit code at all; a
// -nostdlib shared object needs no 32-bit libc, only the compiler.
func requireMultilib32(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "m32.c"), "int f(void) { return 0; }\n")
	if err := runErr(dir, "gcc", "-m32", "-shared", "-nostdlib", "-fPIC", "-o", "m32.so", "m32.c"); err != nil {
		t.Skipf("gcc -m32 unavailable: %v (the class filter is covered by TestMismatch)", err)
	}
}

func TestMismatch(t *testing.T) {
	r, _ := newResolver(Options{}, elf.EM_X86_64, elf.ELFCLASS64)
	tests := []struct {
		name string
		obj  object
		want string
	}{
		{"fits", object{class: elf.ELFCLASS64, machine: elf.EM_X86_64, typ: elf.ET_DYN}, ""},
		{"32-bit", object{class: elf.ELFCLASS32, machine: elf.EM_386, typ: elf.ET_DYN}, "it is 32-bit, the binary is 64-bit"},
		{"arm64", object{class: elf.ELFCLASS64, machine: elf.EM_AARCH64, typ: elf.ET_DYN}, "it is for EM_AARCH64"},
		{"executable", object{class: elf.ELFCLASS64, machine: elf.EM_X86_64, typ: elf.ET_EXEC}, "not a shared object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.mismatch(&tt.obj)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("mismatch() = %q, want %q", got, tt.want)
			}
		})
	}
}
