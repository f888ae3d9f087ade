package rootfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zoneRoot is a root with a zone database laid out as Debian's tzdata
// does: files, an in-tree link, a link to the build machine's
// /etc/localtime, and the posix/ and right/ duplicates.
func zoneRoot(t *testing.T) string {
	t.Helper()
	root := sysroot(t)
	for p, data := range map[string]string{
		"usr/share/zoneinfo/Europe/Paris":       "TZif paris",
		"usr/share/zoneinfo/America/New_York":   "TZif ny",
		"usr/share/zoneinfo/right/Europe/Paris": "TZif right",
		"usr/share/zoneinfo/zone1970.tab":       "tab",
		"usr/bin/tini-static":                   "ELF tini",
	} {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for p, target := range map[string]string{
		"usr/share/zoneinfo/posixrules": "America/New_York",
		"usr/share/zoneinfo/localtime":  "/etc/localtime",
		"usr/share/zoneinfo/posix":      ".",
		"usr/share/zoneinfo/Europe/CET": "../right/Europe/Paris",
		"usr/share/zoneinfo/Europe/Out": "../../../../etc/passwd",
	} {
		if err := os.Symlink(target, filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestRuntimeExtras(t *testing.T) {
	root := zoneRoot(t)
	zone := Extra{Path: "/usr/share/zoneinfo", Package: "tzdata", Skip: []string{"posix", "right"}, For: "tzdata"}
	tini := Extra{Path: "/usr/bin/tini-static", Package: "tini", For: "--init"}
	set, _, err := Runtime(Options{Root: root, Extras: []Extra{zone, tini}})
	if err != nil {
		t.Fatal(err)
	}
	got := byPath(set)
	tests := []struct {
		path string
		want bool
		link string
	}{
		{"/usr/share/zoneinfo/Europe/Paris", true, ""},
		{"/usr/share/zoneinfo/zone1970.tab", true, ""},
		{"/usr/share/zoneinfo/posixrules", true, "America/New_York"},
		{"/usr/bin/tini-static", true, ""},
		{"/usr/share/zoneinfo/localtime", false, ""},
		{"/usr/share/zoneinfo/posix", false, ""},
		{"/usr/share/zoneinfo/right/Europe/Paris", false, ""},
		{"/usr/share/zoneinfo/Europe/CET", false, ""},
		{"/usr/share/zoneinfo/Europe/Out", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f, ok := got[tt.path]
			if ok != tt.want {
				t.Fatalf("in the set: %v, want %v", ok, tt.want)
			}
			if f.Link != tt.link {
				t.Errorf("link %q, want %q", f.Link, tt.link)
			}
			if ok && f.Link == "" && !f.IsDir() && !strings.HasPrefix(f.Source, root) {
				t.Errorf("source %s is not inside the root %s", f.Source, root)
			}
		})
	}
}

func TestRuntimeExtraMissing(t *testing.T) {
	root := sysroot(t)
	_, _, err := Runtime(Options{Root: root, Extras: []Extra{{Path: "/usr/bin/tini-static", Package: "tini", For: "--init"}}})
	var me *MissingError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a MissingError", err)
	}
	for _, want := range []string{"apt-get install tini", "--init", root} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
