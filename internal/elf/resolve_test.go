package elf

import (
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestResolveHostLibc checks the closure of a plain dynamic C binary against
// the host: interpreter and libc, with the symlinks that lead to them.
func TestResolveHostLibc(t *testing.T) {
	bin := gcc(t, t.TempDir(), helloC, "hello")
	c, err := Resolve(bin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Static || c.Interpreter == "" || c.NSS {
		t.Fatalf("closure = static %v interp %q nss %v, want dynamic", c.Static, c.Interpreter, c.NSS)
	}
	if len(c.Libraries) != 2 {
		t.Fatalf("libraries = %v, want interpreter and libc", libPaths(c))
	}
	for _, l := range c.Libraries {
		checkLibrary(t, "/", l)
	}
	interp := findLib(c, path.Base(c.Interpreter))
	if interp == nil || interp.Path != c.Interpreter || interp.Via != "interpreter" {
		t.Fatalf("interpreter entry = %+v, want Path %s", interp, c.Interpreter)
	}
	if libc := findLib(c, "libc.so.6"); libc == nil || !slices.Contains(libc.NeededBy, bin) {
		t.Fatalf("libc entry = %+v, want NeededBy %s", libc, bin)
	}
	if !slices.Contains(interp.NeededBy, bin) {
		t.Errorf("interpreter NeededBy = %v, want %s", interp.NeededBy, bin)
	}
}

// checkLibrary replays Links from Path inside root and requires Real.
func checkLibrary(t *testing.T, root string, l Library) {
	t.Helper()
	real, links, err := walk(root, l.Path)
	if err != nil || real != l.Real || !slices.Equal(links, l.Links) {
		t.Errorf("%s: walk = %s %v %v, want %s %v", l.Path, real, links, err, l.Real, l.Links)
	}
	if fi, err := os.Lstat(l.Source); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("%s: Source %s is not a regular file: %v", l.Path, l.Source, err)
	}
	fi, err := os.Lstat(hostPath(root, l.Path))
	if err != nil {
		t.Fatalf("%s: %v", l.Path, err)
	}
	hasLinks := len(l.Links) > 0
	if crosses := fi.Mode()&os.ModeSymlink != 0 || l.Path != l.Real; crosses != hasLinks {
		t.Errorf("%s: Links = %v but path crosses symlinks = %v", l.Path, l.Links, crosses)
	}
}

// TestResolveSearchOrder builds custom libraries and binaries that find them
// through each mechanism ld.so offers.
func TestResolveSearchOrder(t *testing.T) {
	dir := t.TempDir()
	libdir := searchFixture(t, dir)
	link := []string{"-L" + libdir, "-l:liba.so.1"}
	tests := []struct {
		name     string
		args     []string
		extra    []string
		want     map[string]string // soname -> Via
		origin   bool
		wantWarn string
	}{
		{name: "runpath-origin", args: append(link, "-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN/lib"),
			want: map[string]string{"liba.so.1": "runpath"}, origin: true, wantWarn: "$ORIGIN"},
		{name: "rpath", args: append(link, "-Wl,--disable-new-dtags", "-Wl,-rpath,"+libdir),
			want: map[string]string{"liba.so.1": "rpath"}},
		{name: "extra", args: link, extra: []string{libdir},
			want: map[string]string{"liba.so.1": "extra"}, wantWarn: "extra library path"},
		{name: "rpath-before-extra", args: append(link, "-Wl,--disable-new-dtags", "-Wl,-rpath,"+libdir),
			extra: []string{filepath.Join(dir, "other")}, want: map[string]string{"liba.so.1": "rpath"}},
		{name: "chain", args: []string{"-L" + libdir, "-l:libchain.so.1", "-Wl,-rpath," + libdir, "-Wl,-rpath-link," + filepath.Join(dir, "leaf")},
			want: map[string]string{"libchain.so.1": "runpath", "libleaf.so.1": "runpath"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := "fa"
			if tt.want["libchain.so.1"] != "" {
				fn = "fchain"
			}
			bin := gcc(t, dir, callerC(fn), tt.name, tt.args...)
			c, err := Resolve(bin, Options{ExtraLibraryPaths: tt.extra})
			if err != nil {
				t.Fatal(err)
			}
			for soname, via := range tt.want {
				l := findLib(c, soname)
				if l == nil {
					t.Fatalf("%s missing from %v", soname, libPaths(c))
				}
				if l.Via != via || l.FromOrigin != tt.origin {
					t.Errorf("%s: Via %q FromOrigin %v, want %q %v", soname, l.Via, l.FromOrigin, via, tt.origin)
				}
				checkLibrary(t, "/", *l)
			}
			if tt.extra == nil {
				run(t, dir, bin) // ld.so agrees (extra paths would need LD_LIBRARY_PATH)
			}
			if findLib(c, "libc.so.6") == nil {
				t.Errorf("libc.so.6 missing from %v", libPaths(c))
			}
			if tt.wantWarn != "" && !strings.Contains(strings.Join(c.Warnings, "\n"), tt.wantWarn) {
				t.Errorf("warnings %q, want one mentioning %q", c.Warnings, tt.wantWarn)
			}
		})
	}
}

// searchFixture builds dir/lib/liba.so.1, dir/other/libo.so.1 and
// dir/lib/libchain.so.1, which needs libleaf.so.1 found through its own
// RUNPATH $ORIGIN/../leaf. It returns dir/lib.
func searchFixture(t *testing.T, dir string) string {
	t.Helper()
	libdir := filepath.Join(dir, "lib")
	sharedLib(t, libdir, "liba.so.1", "fa")
	sharedLib(t, filepath.Join(dir, "other"), "libo.so.1", "fo")
	sharedLib(t, filepath.Join(dir, "leaf"), "libleaf.so.1", "fleaf")
	gcc(t, libdir, "int fleaf(void);\nint fchain(void) { return fleaf(); }\n", "libchain.so.1",
		"-shared", "-fPIC", "-Wl,-soname,libchain.so.1", "-L../leaf", "-l:libleaf.so.1", "-Wl,-rpath,$ORIGIN/../leaf")
	return libdir
}

// TestResolveCycle: liba needs libb needs liba is legal and must terminate.
// The binary's DT_RPATH (not RUNPATH) also serves liba's needs, as in ld.so.
func TestResolveCycle(t *testing.T) {
	dir := t.TempDir()
	sharedLib(t, dir, "libb.so.1", "fb")
	gcc(t, dir, "int fb(void);\nint fa(void) { return fb(); }\n", "liba.so.1",
		"-shared", "-fPIC", "-Wl,-soname,liba.so.1", "-L.", "-l:libb.so.1")
	gcc(t, dir, "int fa(void);\nint fb(void) { return 1; }\nint fc(void) { return fa(); }\n", "libb.so.1",
		"-shared", "-fPIC", "-Wl,-soname,libb.so.1", "-L.", "-l:liba.so.1")
	bin := gcc(t, dir, callerC("fa"), "cycle", "-L.", "-l:liba.so.1", "-Wl,--disable-new-dtags", "-Wl,-rpath,"+dir)
	c, err := Resolve(bin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	run(t, dir, bin) // ld.so agrees that everything is found
	a, b := findLib(c, "liba.so.1"), findLib(c, "libb.so.1")
	if a == nil || b == nil {
		t.Fatalf("libraries = %v, want liba and libb", libPaths(c))
	}
	if !slices.Contains(a.NeededBy, b.Path) || !slices.Contains(b.NeededBy, a.Path) {
		t.Errorf("NeededBy: liba %v, libb %v; want each to name the other", a.NeededBy, b.NeededBy)
	}
	if len(c.Libraries) != 4 {
		t.Errorf("libraries = %v, want 4 (deduplicated)", libPaths(c))
	}
}

func TestResolveMissingLibrary(t *testing.T) {
	dir := t.TempDir()
	sharedLib(t, filepath.Join(dir, "gone"), "libgone.so.3", "fgone")
	gone := gcc(t, dir, callerC("fgone"), "needsgone", "-Lgone", "-l:libgone.so.3", "-Wl,-rpath,/nonexistent/rp")
	if err := os.RemoveAll(filepath.Join(dir, "gone")); err != nil {
		t.Fatal(err)
	}
	// DT_RUNPATH of the binary does not serve its libraries' own needs.
	leafDir := filepath.Join(dir, "leaf")
	sharedLib(t, leafDir, "libleaf.so.1", "fleaf")
	gcc(t, dir, "int fleaf(void);\nint fmid(void) { return fleaf(); }\n", "libmid.so.1",
		"-shared", "-fPIC", "-Wl,-soname,libmid.so.1", "-Lleaf", "-l:libleaf.so.1")
	mid := gcc(t, dir, callerC("fmid"), "needsmid", "-L.", "-l:libmid.so.1", "-Wl,-rpath-link,"+leafDir,
		"-Wl,--enable-new-dtags", "-Wl,-rpath,"+dir+":"+leafDir)
	tests := []struct {
		name  string
		bin   string
		lib   string
		by    string
		extra []string
		want  []string
	}{
		{"removed", gone, "libgone.so.3", gone, []string{"/nonexistent/extra"}, []string{"/nonexistent/rp", "/nonexistent/extra"}},
		{"runpath-not-inherited", mid, "libleaf.so.1", filepath.Join(dir, "libmid.so.1"), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(tt.bin, Options{ExtraLibraryPaths: tt.extra})
			var nf *NotFoundError
			if !errors.As(err, &nf) || nf.Name != tt.lib || nf.NeededBy != tt.by {
				t.Fatalf("Resolve() error = %v, want *NotFoundError for %s needed by %s", err, tt.lib, tt.by)
			}
			want := append([]string{tt.lib, "needed by " + tt.by, "/usr/lib", "install the package", "extra library paths"}, tt.want...)
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestResolveStatic(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		src  string
		args []string
		nss  bool
	}{
		{"plain", helloC, []string{"-static"}, false},
		{"plain-static-pie", helloC, []string{"-static-pie"}, false},
		{"getaddrinfo", resolverC, []string{"-static"}, true},
		{"getaddrinfo-stripped", resolverC, []string{"-static", "-s"}, true},
		{"getpwnam", "#include <pwd.h>\nint main(void) { return getpwnam(\"root\") == 0; }\n", []string{"-static"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := gcc(t, dir, tt.src, tt.name, tt.args...)
			c, err := Resolve(bin, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !c.Static || c.Interpreter != "" || len(c.Libraries) != 0 || c.NSS != tt.nss {
				t.Fatalf("closure = static %v interp %q libs %v nss %v, want static, no libs, nss %v",
					c.Static, c.Interpreter, libPaths(c), c.NSS, tt.nss)
			}
			if len(c.Warnings) > 0 {
				t.Errorf("warnings = %q, want none: NSS is reported in the NSS field and the caller decides", c.Warnings)
			}
		})
	}
}

func TestResolveRejectsSharedLibrary(t *testing.T) {
	lib := sharedLib(t, t.TempDir(), "libx.so.1", "fx")
	if _, err := Resolve(lib, Options{}); err == nil || !strings.Contains(err.Error(), "shared library, not an executable") {
		t.Fatalf("Resolve() error = %v, want shared library error", err)
	}
}

// TestGoStaticHasNoNSS: a pure-Go static binary reads /etc/nsswitch.conf
// itself (the string is in its data) but loads no glibc module.
func TestGoStaticHasNoNSS(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	dir := t.TempDir()
	src := "package main\nimport \"net\"\nfunc main() { net.LookupHost(\"localhost\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, strip := range []string{"", "-s"} {
		bin := filepath.Join(dir, "app"+strip)
		cmd := exec.Command(goBin, "build", "-ldflags="+strip, "-o", bin, "main.go")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GO111MODULE=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		c, err := Resolve(bin, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !c.Static || c.NSS {
			t.Errorf("go binary (ldflags %q): static %v, NSS %v; want static without NSS", strip, c.Static, c.NSS)
		}
	}
}

// TestMissingInterpreterMessage: a loader missing from the root is said in
// words (which root, and why), never as "not found in : ;".
func TestMissingInterpreterMessage(t *testing.T) {
	const bin = "/bin/true" // dynamic, with a PT_INTERP
	if _, err := os.Stat(bin); err != nil {
		t.Skip("no /bin/true")
	}
	root := t.TempDir()
	_, err := Resolve(bin, Options{Root: root})
	if err == nil {
		t.Fatal("resolved against an empty root")
	}
	for _, w := range []string{"is not in the root " + root + " (no such file)", "PT_INTERP of"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	if strings.Contains(err.Error(), ": ;") {
		t.Errorf("error %q has an empty part", err)
	}
}

func TestNotFoundErrorNoSearchPath(t *testing.T) {
	msg := (&NotFoundError{Name: "libx.so.1", NeededBy: "/app"}).Error()
	if strings.Contains(msg, "searched ;") || !strings.Contains(msg, "searched no directory") {
		t.Errorf("message %q", msg)
	}
}
