package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "out.txt")
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := WriteFile(path, write("one")); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("disk on fire")
	err := WriteFile(path, func(w io.Writer) error { io.WriteString(w, "half"); return failed })
	if !errors.Is(err, failed) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "one" {
		t.Errorf("after a failed write the file holds %q, want the old content", data)
	}
	if got := names(t, filepath.Join(dir, "sub")); len(got) != 1 {
		t.Errorf("left behind: %v", got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", info.Mode())
	}
}

func TestReplaceDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "layout")
	fill := func(content string) func(string) error {
		return func(tmp string) error { return os.WriteFile(filepath.Join(tmp, "f"), []byte(content), 0o644) }
	}
	for i, content := range []string{"first", "second"} {
		durable := i == 0 // both ways replace the same
		if err := ReplaceDir(dir, durable, fill(content)); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "f")); string(data) != content {
			t.Errorf("dir holds %q, want %q", data, content)
		}
	}
	failed := errors.New("no")
	if err := ReplaceDir(dir, true, func(string) error { return failed }); !errors.Is(err, failed) {
		t.Fatalf("err = %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "f")); string(data) != "second" {
		t.Errorf("after a failed fill dir holds %q, want the old content", data)
	}
	if got := names(t, parent); len(got) != 1 || got[0] != "layout" {
		t.Errorf("parent holds %v, want only layout", got)
	}
}
