package elf

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
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
	tests := []struct {
		path    string
		real    string
		links   []Link
		wantErr string
	}{
		{path: "/usr/lib/x/libz.so.1.2", real: "/usr/lib/x/libz.so.1.2"},
		{path: "/lib/x/libz.so.1", real: "/usr/lib/x/libz.so.1.2",
			links: []Link{{"/lib", "usr/lib"}, {"/usr/lib/x/libz.so.1", "libz.so.1.2"}}},
		{path: "/opt/abs", real: "/usr/lib/x/libz.so.1.2",
			links: []Link{{"/opt/abs", "/lib/x/libz.so.1"}, {"/lib", "usr/lib"}, {"/usr/lib/x/libz.so.1", "libz.so.1.2"}}},
		{path: "/opt/dotdot", real: "/usr/lib/x/libz.so.1.2",
			links: []Link{{"/opt/dotdot", "../../../../../usr/lib/x/libz.so.1.2"}}},
		{path: "/opt/loop1", wantErr: "too many levels of symbolic links"},
		{path: "/opt/dangling", wantErr: "no such file"},
		{path: "/usr/lib/x/libz.so.1.2/sub", wantErr: "not a directory"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.path, "/", "_"), func(t *testing.T) {
			real, links, err := regularFile(root, tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("walk(%s) error = %v, want %q", tt.path, err, tt.wantErr)
				}
				return
			}
			if err != nil || real != tt.real || !slices.Equal(links, tt.links) {
				t.Fatalf("walk(%s) = %s %v %v, want %s %v", tt.path, real, links, err, tt.real, tt.links)
			}
		})
	}
	if _, _, err := walk(root, "/opt/dangling"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dangling link error = %v, want fs.ErrNotExist", err)
	}
}
