package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckIncludes: an include may not land on, under (a file) or over (a
// file at a parent of) a path berth makes, before anything is built.
func TestCheckIncludes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes")
	tree := filepath.Join(dir, "tree")
	etcTree := filepath.Join(dir, "etc")
	for _, p := range []string{file, filepath.Join(tree, "app.conf"), filepath.Join(etcTree, "passwd")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	auto := Planned(true, "/usr/local/bin/app")
	tests := []struct {
		name string
		inc  string
		made []Made
		want string // "" for no error
	}{
		{"on passwd", file + ":/etc/passwd", auto, "lands on /etc/passwd"},
		{"on /tmp", tree + ":/tmp", auto, "lands on /tmp"},
		{"on the CA bundle", file + ":/etc/ssl/certs/ca-certificates.crt", auto, "CA bundle"},
		{"on the binary", file + ":/usr/local/bin/app", auto, "where the binary goes"},
		{"under passwd", file + ":/etc/passwd/x", auto, "not a directory"},
		{"file at /etc", file + ":/etc", auto, "puts a file at /etc"},
		{"file at /", file + ":/", auto, "puts a file at /"},
		{"file at /usr", file + ":/usr", auto, "holds /usr/local/bin/app"},
		{"tree with passwd at /etc", etcTree + ":/etc", auto, "brings /etc/passwd"},
		{"unclean destination", file + ":/etc/../etc/passwd", auto, "lands on /etc/passwd"},
		{"tree at /etc", tree + ":/etc", auto, ""},
		{"file in /tmp", file + ":/tmp/notes", auto, ""},
		{"file in /etc", file + ":/etc/app.conf", auto, ""},
		{"passwd on scratch", file + ":/etc/passwd", Planned(false, "/usr/local/bin/app"), ""},
		{"file at /lib64", file + ":/lib64", auto, ""},
		{"relative destination", file + ":etc/x", auto, "ABSOLUTE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckIncludes([]string{tt.inc}, tt.made)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("CheckIncludes(%q) = %v, want %q", tt.inc, err, tt.want)
			}
		})
	}
}

// TestPlannedMatchesRuntime: the list the checks use is the one Runtime
// makes, so that a new generated file cannot be forgotten by the checks.
func TestPlannedMatchesRuntime(t *testing.T) {
	root := t.TempDir()
	ca := filepath.Join(root, "etc/ssl/certs/ca-certificates.crt")
	if err := os.MkdirAll(filepath.Dir(ca), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ca, []byte("pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, _, err := Runtime(Options{Root: root, System: true})
	if err != nil {
		t.Fatal(err)
	}
	planned := Planned(true, "")
	if len(planned) != set.Len() {
		t.Errorf("Planned has %d paths, Runtime made %d", len(planned), set.Len())
	}
	for _, m := range planned {
		if !set.Has(m.Path) {
			t.Errorf("Planned lists %s, which Runtime does not make", m.Path)
		}
	}
}

func TestCheckUser(t *testing.T) {
	base := []byte("root:x:0:0::/root:/bin/sh\n# comment\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n")
	grp := []byte("root:x:0:\nwww-data:x:33:\n")
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"numbers on scratch", func() error { return CheckPlannedUser("65532:65532", false) }, ""},
		{"nonroot on auto", func() error { return CheckPlannedUser("nonroot:nonroot", true) }, ""},
		{"root on auto", func() error { return CheckPlannedUser("root", true) }, ""},
		{"nobody on auto", func() error { return CheckPlannedUser("nobody", true) }, `user "nobody" is not in the auto base's /etc/passwd (it has root, nonroot)`},
		{"nogroup on auto", func() error { return CheckPlannedUser("65532:nogroup", true) }, `group "nogroup"`},
		{"nonroot on scratch", func() error { return CheckPlannedUser("nonroot", false) }, "which it does not have"},
		{"name in a base", func() error { return CheckUser("www-data:www-data", base, grp, "debian:12") }, ""},
		{"missing in a base", func() error { return CheckUser("app", base, grp, "debian:12") }, `"app" is not in debian:12's /etc/passwd (it has root, www-data)`},
		{"a comment is no user", func() error { return CheckUser("# comment", base, grp, "b") }, "not in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}
