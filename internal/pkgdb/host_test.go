package pkgdb

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/elf"
)

// hostClosure is this machine's real data: the runtime closure of ls, which
// spans several packages, or a skip on a machine without dpkg.
func hostClosure(t testing.TB) (*DB, []string) {
	t.Helper()
	db, err := Open("/")
	if errors.Is(err, ErrNoDatabase) {
		t.Skip("this machine has no dpkg database")
	}
	if err != nil {
		t.Fatal(err)
	}
	ls, err := exec.LookPath("ls")
	if err != nil {
		t.Skip("no ls on PATH")
	}
	c, err := elf.Resolve(ls, elf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, l := range c.Libraries {
		paths = append(paths, l.Real, l.Path)
	}
	return db, paths
}

// TestOwnersHost agrees with dpkg itself on the packages and versions of
// this machine's libraries, whichever of their paths is asked.
func TestOwnersHost(t *testing.T) {
	db, paths := hostClosure(t)
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("no dpkg-query to compare with")
	}
	pkgs, unowned, err := db.Owners(paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(unowned) > 0 {
		t.Errorf("no owner found for %v", unowned)
	}
	if len(pkgs) < 2 {
		t.Errorf("ls's libraries are in %d packages, want libc6 and more", len(pkgs))
	}
	for _, p := range pkgs {
		want, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", p.Name+":"+p.Arch).Output()
		if err != nil {
			t.Fatalf("dpkg-query %s:%s: %v", p.Name, p.Arch, err)
		}
		if p.Version != string(want) {
			t.Errorf("%s: version %q, dpkg says %q", p.Name, p.Version, want)
		}
		if !strings.HasPrefix(string(p.Status), "Package: "+p.Name+"\n") || p.Copyright == "" || len(p.Files) == 0 {
			t.Errorf("%s: incomplete: status %.40q, copyright %q, files %v", p.Name, p.Status, p.Copyright, p.Files)
		}
	}
}

// BenchmarkOwnersHost is what a build pays: open the database, find the
// owners of a real closure, read os-release.
func BenchmarkOwnersHost(b *testing.B) { benchOwners(b, nil) }

// BenchmarkOwnersScan is the slow path: a file no package owns makes the
// lookup read every file list.
func BenchmarkOwnersScan(b *testing.B) { benchOwners(b, []string{"/opt/not/owned/libmine.so.1"}) }

func benchOwners(b *testing.B, extra []string) {
	_, paths := hostClosure(b)
	paths = append(paths, extra...)
	for i := 0; i < b.N; i++ {
		db, err := Open("/")
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := db.Owners(paths); err != nil {
			b.Fatal(err)
		}
		if _, err := ReadDistro("/"); err != nil {
			b.Fatal(err)
		}
	}
}
