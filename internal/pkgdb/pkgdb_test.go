package pkgdb

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\ngot:\n%s\nwant:\n%s", file, got, want)
	}
}

// lookup is what the golden file shows, with the records as text.
type lookup struct {
	Packages []pkgView
	Unowned  []string
	Distro   distroView
}

type pkgView struct {
	Package
	Status  string
	MD5Sums string
}

type distroView struct {
	*Distro
	OSRelease string
}

// TestOwnersGolden looks up, in a small root, files whose lists name them
// through /lib while the image says /usr/lib (merged /usr), and the other way
// round; two architectures of one package; a soname symlink; the generated
// CA bundle; a package removed with its configuration kept; a file no
// package owns; the md5sums lines of the shipped files only.
func TestOwnersGolden(t *testing.T) {
	root := filepath.Join("testdata", "root")
	db, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, unowned, err := db.Owners([]string{
		"/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/lib/x86_64-linux-gnu/libm.so.6",
		"/usr/lib/aarch64-linux-gnu/libc.so.6",
		"/usr/lib/x86_64-linux-gnu/libgcc_s.so.1",
		"/lib/x86_64-linux-gnu/libfoo.so.1",
		"/usr/lib/x86_64-linux-gnu/libfoo.so.1.2",
		"/etc/ssl/certs/ca-certificates.crt",
		"/usr/lib/os-release",
		"/usr/local/lib/libmine.so",
		"/opt/app/libbundled.so",
	})
	if err != nil {
		t.Fatal(err)
	}
	distro, err := ReadDistro(root)
	if err != nil {
		t.Fatal(err)
	}
	view := lookup{Unowned: unowned, Distro: distroView{distro, string(distro.OSRelease)}}
	for _, p := range pkgs {
		sums, err := db.MD5Sums(p)
		if err != nil {
			t.Fatal(err)
		}
		view.Packages = append(view.Packages, pkgView{p, string(p.Status), string(sums)})
	}
	out, err := json.MarshalIndent(view, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "owners.golden.json", append(out, '\n'))
}

// TestBadDatabase: a root with no database says so with ErrNoDatabase; a
// corrupt one fails with the file and what to run.
func TestBadDatabase(t *testing.T) {
	tests := []struct {
		name   string
		status string // "" removes the status file
		want   string
	}{
		{"no database", "", "no dpkg database"},
		{"no version", "Package: libfoo1\nStatus: install ok installed\nArchitecture: amd64\n", "no Version field"},
		{"garbage line", "Package: libfoo1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\nnot a field\n", `not a field: "not a field"`},
		{"list without paragraph", "Package: other\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n", "no paragraph in the status file"},
		{"installed twice", strings.Repeat("Package: libfoo1\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\n", 2), "installed 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			info := filepath.Join(root, "var/lib/dpkg/info")
			if err := os.MkdirAll(info, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(info, "libfoo1:amd64.list"), []byte("/.\n/usr/lib/libfoo.so.1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.status != "" {
				if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), []byte(tt.status), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			db, err := Open(root)
			if err == nil {
				_, _, err = db.Owners([]string{"/usr/lib/libfoo.so.1"})
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one saying %q", err, tt.want)
			}
			if tt.status == "" && !errors.Is(err, ErrNoDatabase) {
				t.Errorf("error %v does not wrap ErrNoDatabase", err)
			}
			if tt.status != "" && !strings.Contains(err.Error(), "dpkg --audit") {
				t.Errorf("error %v does not say what to run", err)
			}
		})
	}
}

// TestGuesses: the package names Debian's library policy gives a soname;
// a wrong guess costs time (the scan finds the owner), never correctness.
func TestGuesses(t *testing.T) {
	tests := map[string]string{
		"libssl.so.3":           "libssl3",
		"libgcc_s.so.1":         "libgcc-s1",
		"libpcre2-8.so.0.11.2":  "libpcre2-8-0",
		"libstdc++.so.6.0.30":   "libstdc++6",
		"libsqlite3.so.0":       "libsqlite3-0",
		"libglib-2.0.so.0":      "libglib-2.0-0",
		"libBrokenLocale.so.1":  "libbrokenlocale1",
		"ld-linux-x86-64.so.2":  "libc6",
		"ld-linux-aarch64.so.1": "libc6",
		"libz.so.1":             "libz1", // zlib1g: found by the scan
		"os-release":            "",
		".so.1":                 "",
		"libSegFault.so":        "",
	}
	for base, want := range tests {
		if got := strings.Join(guesses(base), ","); got != want {
			t.Errorf("guesses(%q) = %q, want %q", base, got, want)
		}
	}
}
