package atomicfile

import (
	"context"
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
	if err := WriteFile(context.Background(), path, write("one")); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("disk on fire")
	err := WriteFile(context.Background(), path, func(w io.Writer) error { io.WriteString(w, "half"); return failed })
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
		if err := ReplaceDir(context.Background(), dir, durable, fill(content)); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "f")); string(data) != content {
			t.Errorf("dir holds %q, want %q", data, content)
		}
	}
	failed := errors.New("no")
	if err := ReplaceDir(context.Background(), dir, true, func(string) error { return failed }); !errors.Is(err, failed) {
		t.Fatalf("err = %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "f")); string(data) != "second" {
		t.Errorf("after a failed fill dir holds %q, want the old content", data)
	}
	if got := names(t, parent); len(got) != 1 || got[0] != "layout" {
		t.Errorf("parent holds %v, want only layout", got)
	}
}

// An interrupt that comes while the new directory or file is being flushed
// keeps the old one: the swap is the last step, after the context check.
func TestInterruptBeforeSwap(t *testing.T) {
	parent := t.TempDir()
	dir, file := filepath.Join(parent, "layout"), filepath.Join(parent, "f")
	if err := ReplaceDir(context.Background(), dir, true, func(tmp string) error {
		return os.WriteFile(filepath.Join(tmp, "f"), []byte("old"), 0o644)
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err := ReplaceDir(ctx, dir, true, func(tmp string) error {
		cancel() // the interrupt arrives once the fill is done
		return os.WriteFile(filepath.Join(tmp, "f"), []byte("new"), 0o644)
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ReplaceDir err = %v, want context.Canceled", err)
	}
	err = WriteFile(ctx, file, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteFile err = %v, want context.Canceled", err)
	}
	for _, p := range []string{filepath.Join(dir, "f"), file} {
		if data, _ := os.ReadFile(p); string(data) != "old" {
			t.Errorf("%s holds %q after an interrupt, want the old content", p, data)
		}
	}
	if got := names(t, parent); len(got) != 2 {
		t.Errorf("parent holds %v, want only the two outputs", got)
	}
}
