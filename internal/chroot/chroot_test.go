package chroot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestWalk(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "usr/lib/x/libz.so.1.2"), "z")
	symlink(t, "usr/lib", filepath.Join(root, "lib"))
	symlink(t, "libz.so.1.2", filepath.Join(root, "usr/lib/x/libz.so.1"))
	symlink(t, "/lib/x/libz.so.1", filepath.Join(root, "opt/abs"))
	symlink(t, "../../../../../usr/lib/x/libz.so.1.2", filepath.Join(root, "opt/dotdot"))
	symlink(t, "loop2", filepath.Join(root, "opt/loop1"))
	symlink(t, "loop1", filepath.Join(root, "opt/loop2"))
	symlink(t, "/nowhere", filepath.Join(root, "opt/dangling"))
	// Links naming files of the build machine resolve inside root: the
	// host's /etc/passwd exists, the root's does not.
	symlink(t, "/etc/passwd", filepath.Join(root, "opt/host"))
	symlink(t, "../../../../etc/passwd", filepath.Join(root, "opt/hostdotdot"))
	symlink(t, "/usr/lib", filepath.Join(root, "opt/dir"))
	tests := []struct {
		path    string
		real    string
		links   []Link
		wantErr string
		is      error
	}{
		{path: "/usr/lib/x/libz.so.1.2", real: "/usr/lib/x/libz.so.1.2"},
		{path: "/lib/x/libz.so.1", real: "/usr/lib/x/libz.so.1.2",
			links: []Link{{"/lib", "usr/lib"}, {"/usr/lib/x/libz.so.1", "libz.so.1.2"}}},
		{path: "/opt/abs", real: "/usr/lib/x/libz.so.1.2",
			links: []Link{{"/opt/abs", "/lib/x/libz.so.1"}, {"/lib", "usr/lib"}, {"/usr/lib/x/libz.so.1", "libz.so.1.2"}}},
		{path: "/opt/dotdot", real: "/usr/lib/x/libz.so.1.2",
			links: []Link{{"/opt/dotdot", "../../../../../usr/lib/x/libz.so.1.2"}}},
		{path: "/opt/loop1", wantErr: "too many levels of symbolic links", is: syscall.ELOOP},
		{path: "/opt/dangling", wantErr: "does not exist", is: fs.ErrNotExist},
		{path: "/opt/host", wantErr: "does not exist", is: fs.ErrNotExist},
		{path: "/opt/hostdotdot", wantErr: "does not exist", is: fs.ErrNotExist},
		{path: "/opt/dir", wantErr: "not a regular file"},
		{path: "/usr/lib/x/libz.so.1.2/sub", wantErr: "not a directory", is: fs.ErrNotExist},
		{path: "relative", wantErr: "not absolute"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.path, "/", "_"), func(t *testing.T) {
			real, host, _, links, err := Regular(root, tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || (tt.is != nil && !errors.Is(err, tt.is)) {
					t.Fatalf("Regular(%s) error = %v, want %q (%v)", tt.path, err, tt.wantErr, tt.is)
				}
				return
			}
			if err != nil || real != tt.real || !slices.Equal(links, tt.links) || host != filepath.Join(root, tt.real) {
				t.Fatalf("Regular(%s) = %s %s %v %v, want %s %v", tt.path, real, host, links, err, tt.real, tt.links)
			}
		})
	}
}

// TestHostRoot: root "" and "/" are the build machine itself.
func TestHostRoot(t *testing.T) {
	for _, root := range []string{"", "/"} {
		real, host, _, _, err := Regular(root, "/etc/../etc/passwd")
		if err != nil || real != "/etc/passwd" || host != "/etc/passwd" {
			t.Errorf("Regular(%q, /etc/passwd) = %s %s %v", root, real, host, err)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
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
