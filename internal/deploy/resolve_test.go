package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImageRefsReplacesOnlyItsOwn: --image-refs replaces an earlier list
// of refs, never a user's file, a directory or a link.
func TestImageRefsReplacesOnlyItsOwn(t *testing.T) {
	dir := t.TempDir()
	ref := "127.0.0.1:5000/team/api@sha256:" + strings.Repeat("a", 64)
	files := map[string]string{"refs.txt": ref + "\n", "notes.txt": "my notes\n"}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "refs.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, want string }{
		{"refs.txt", ""}, {"new.txt", ""}, {"notes.txt", "not a list of image references"}, {"link.txt", "not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			before, _ := os.ReadFile(p)
			err := writeImageRefs(context.Background(), p, []string{ref})
			if tt.want == "" {
				if data, _ := os.ReadFile(p); err != nil || string(data) != ref+"\n" {
					t.Fatalf("writeImageRefs = %v, file %q", err, data)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if after, _ := os.ReadFile(p); string(after) != string(before) {
				t.Errorf("%s changed to %q", tt.name, after)
			}
		})
	}
}
