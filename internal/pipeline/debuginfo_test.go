package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/debuginfo"
)

// TestSaveDebugFile places a debug file by its own build-id, and refuses
// one whose build-id is not the one its artifact announced, or that has
// none: a label from a registry never names the path.
func TestSaveDebugFile(t *testing.T) {
	data, err := os.ReadFile("/bin/true") // a real ELF file with a GNU build-id
	if err != nil {
		t.Skip(err)
	}
	id, err := debuginfo.BuildID("/bin/true")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name, annotated string
		data            []byte
		wantErr         string
	}{
		{"announced", id, data, ""},
		{"unannounced", "", data, ""},
		{"lying", "../../../etc/passwd", data, "announces ../../../etc/passwd"},
		{"not ELF", id, []byte("nope"), "reading the build-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p, err := SaveDebugFile(context.Background(), dir, tt.annotated, tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("a refused file left %v", entries)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, debuginfo.Path(id)); p != want {
				t.Errorf("path %s, want %s", p, want)
			}
		})
	}
}

// TestSaveDebugFileNoLink: a .build-id that is a symbolic link out of the
// directory is refused, and nothing is written where it points.
func TestSaveDebugFileNoLink(t *testing.T) {
	data, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Skip(err)
	}
	dir, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(dir, ".build-id")); err != nil {
		t.Fatal(err)
	}
	if _, err := SaveDebugFile(context.Background(), dir, "", data); err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Fatalf("err = %v, want the link refused", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("written through the link: %v", entries)
	}
}
