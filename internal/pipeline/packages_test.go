package pipeline

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/rootfs"
)

// TestPackagesOfHostBinary: a binary of this (Debian) machine gets its
// packages' records, copyright files and os-release, at dpkg's versions.
func TestPackagesOfHostBinary(t *testing.T) {
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("not a dpkg-based machine")
	}
	// Two files no package owns: one at its own path on this machine
	// (looked up, like a --library-path library), one put elsewhere.
	mine, err := os.CreateTemp("", "berth-unowned-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(mine.Name()) })
	if _, err := mine.WriteString("berth"); err != nil || mine.Close() != nil {
		t.Fatal(err)
	}
	res, err := Image(context.Background(), Options{
		Binary: hostBinary(t), Epoch: time.Unix(0, 0),
		Includes: []string{mine.Name() + ":" + mine.Name(), mine.Name() + ":/app/data"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.PackageDB != "dpkg" || res.Distro == nil || len(res.Unowned) != 2 {
		t.Fatalf("package db %q, distro %v, unowned %v", res.PackageDB, res.Distro, res.Unowned)
	}
	for _, u := range res.Unowned {
		if u.SHA256 != berthSHA256 || (u.Path != "/app/data" && u.Path != mine.Name()) {
			t.Errorf("unowned %+v, want the two included files with the sha256 of %q", u, "berth")
		}
	}
	files := byPath(res.Runtime)
	found := map[string]bool{}
	for _, p := range res.Packages {
		found[p.Name] = true
		want, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", p.Name+":"+p.Arch).Output()
		if err != nil || p.Version != string(want) {
			t.Errorf("%s: version %q, dpkg-query says %q (%v)", p.Name, p.Version, want, err)
		}
		if rec := files[StatusDir+"/"+p.Name]; string(rec.Data) != string(p.Status) {
			t.Errorf("%s: record %q, want its status paragraph", p.Name, rec.Data)
		}
		if _, ok := files["/usr/share/doc/"+p.Name+"/copyright"]; !ok && p.Copyright != "" {
			t.Errorf("%s: copyright file not shipped", p.Name)
		}
	}
	if !found["libc6"] {
		t.Errorf("packages %v lack libc6", found)
	}
	if string(files[res.Distro.Path].Data) != string(res.Distro.OSRelease) || res.Distro.ID == "" {
		t.Errorf("os-release not shipped at %s", res.Distro.Path)
	}
}

// TestPackagesOfStaticBinary: no library, so no libc6; the CA bundle is
// ca-certificates' data and os-release base-files', and both are recorded.
func TestPackagesOfStaticBinary(t *testing.T) {
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("not a dpkg-based machine")
	}
	static := "/sbin/ldconfig" // static-pie on Debian
	if c, err := elf.Resolve(static, elf.Options{}); err != nil || !c.Static {
		t.Skipf("%s is not a static binary here (%v)", static, err)
	}
	if err := exec.Command("dpkg-query", "-W", "ca-certificates").Run(); err != nil {
		t.Skip("ca-certificates is not installed")
	}
	c, err := Collect(context.Background(), Options{Binary: static})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range c.Packages {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "base-files ca-certificates" {
		t.Errorf("packages %q, want base-files and ca-certificates", got)
	}
	if !c.Runtime.Has(StatusDir+"/ca-certificates") || !c.Runtime.Has("/usr/share/doc/ca-certificates/copyright") {
		t.Error("ca-certificates' record or copyright file is missing")
	}
}

// TestPackagesBadRoots: a root that is not Debian-based builds with a
// warning and lists every file as unowned; a corrupt database stops the
// build before anything is written; an unreadable copyright file warns.
func TestPackagesBadRoots(t *testing.T) {
	tests := []struct {
		name    string
		dpkg    func(t *testing.T, root, libc string)
		wantErr string
		warning string
	}{
		{"not debian", func(*testing.T, string, string) {}, "", "is not Debian-based"},
		{"corrupt status", func(t *testing.T, root, libc string) {
			writeDB(t, root, "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n", libc)
		}, "no Version field", ""},
		{"unreadable copyright", func(t *testing.T, root, libc string) {
			writeDB(t, root, "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36\n", libc)
			// A directory where the file should be: unreadable even as root.
			if err := os.MkdirAll(filepath.Join(root, "usr/share/doc/libc6/copyright"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "", "cannot read the copyright file of package libc6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := hostBinary(t)
			root, libc := sysroot(t, bin)
			tt.dpkg(t, root, libc)
			out := filepath.Join(t.TempDir(), "rootfs")
			c, err := stageFiles(context.Background(), Options{Binary: bin, Root: root}, out, "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("a failed build left %s behind", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(c.Warnings, "\n"), tt.warning) {
				t.Errorf("warnings %q lack %q", c.Warnings, tt.warning)
			}
			if tt.name == "not debian" && (len(c.Packages) != 0 || len(c.Unowned) == 0 || len(c.Unowned[0].SHA256) != 64) {
				t.Errorf("packages %v, unowned %v: want none and every library", c.Packages, c.Unowned)
			}
		})
	}
}

// berthSHA256 is the sha256 of "berth".
const berthSHA256 = "5c2f64c7f21efd5fb5e3d6a499abe5eacb248ae6f6f0085387c9a056d10ef5fd"

// sysroot copies bin's closure into a new root and returns it, with the path
// of libc.so.6 inside it.
func sysroot(t *testing.T, bin string) (root, libc string) {
	t.Helper()
	c, err := elf.Resolve(bin, elf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	for _, l := range c.Libraries {
		data, err := os.ReadFile(l.Source)
		if err != nil {
			t.Fatal(err)
		}
		real, link := filepath.Join(root, l.Real), filepath.Join(root, l.Path)
		for _, dir := range []string{filepath.Dir(real), filepath.Dir(link)} {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(real, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if l.Path != l.Real {
			// The loader's path links to the file, as on this machine.
			rel, err := filepath.Rel(filepath.Dir(link), real)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(rel, link); err != nil {
				t.Fatal(err)
			}
		}
		if l.Soname == "libc.so.6" {
			libc = l.Real
		}
	}
	return root, libc
}

// writeDB writes a dpkg database whose libc6 owns libc.
func writeDB(t *testing.T, root, status, libc string) {
	t.Helper()
	info := filepath.Join(root, "var/lib/dpkg/info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), []byte(status), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(info, "libc6:amd64.list"), []byte("/.\n"+libc+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func byPath(set *fileset.Set) map[string]fileset.File {
	out := map[string]fileset.File{}
	for _, f := range set.Files() {
		out[f.Path] = f
	}
	return out
}

// BenchmarkPackages is what the records cost a build of a host binary: the
// runtime file set, then the package lookup, records, copyright files and
// os-release added to it (BenchmarkRuntime is the set alone).
func BenchmarkPackages(b *testing.B) { benchRuntime(b, true) }

func BenchmarkRuntime(b *testing.B) { benchRuntime(b, false) }

func benchRuntime(b *testing.B, packages bool) {
	c, err := elf.Resolve("/usr/bin/true", elf.Options{})
	if err != nil {
		b.Skip(err)
	}
	var libs []string
	for _, l := range c.Libraries {
		libs = append(libs, l.Path)
	}
	for i := 0; i < b.N; i++ {
		set, _, err := rootfs.Runtime(rootfs.Options{System: true, Libraries: libs})
		if err != nil {
			b.Fatal(err)
		}
		if packages {
			if err := addPackages(set, "", "this system", &Contents{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestRootName: messages name the runtime image, not the cache directory
// it was extracted to.
func TestRootName(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{}, "this system"},
		{Options{Root: "/"}, "this system"},
		{Options{Root: "/srv/arm64"}, "the sysroot /srv/arm64"},
		{Options{Root: "/home/u/.cache/berth/runtime/ab/root", RuntimeFrom: "debian:12"}, "the runtime image debian:12"},
	} {
		if got := rootName(tt.opts); got != tt.want {
			t.Errorf("rootName(%+v) = %q, want %q", tt.opts, got, tt.want)
		}
	}
}
