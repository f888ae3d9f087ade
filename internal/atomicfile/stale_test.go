package atomicfile

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
)

// deadPID is the id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestCleanStale: the leftovers of a dead process are removed by the next
// write next to them; a live process's, and other bases', are kept.
func TestCleanStale(t *testing.T) {
	dir := t.TempDir()
	dead, live := deadPID(t), os.Getpid()
	names := map[string]bool{ // name -> kept
		fmt.Sprintf("%sout.tar-%d-123", TempPrefix, dead):     false,
		fmt.Sprintf("%sout.tar-%d-456.old", TempPrefix, dead): false,
		fmt.Sprintf("%sout.tar-%d-789", TempPrefix, live):     true,
		fmt.Sprintf("%sout.tar-5-%d-1", TempPrefix, dead):     true, // base "out.tar-5"
		fmt.Sprintf("%sother-%d-1", TempPrefix, dead):         true,
		"out.tar": true,
	}
	for n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFile(context.Background(), filepath.Join(dir, "out.tar"), func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var got []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	var want []string
	for n, kept := range names {
		if kept {
			want = append(want, n)
		}
	}
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("left %q, want %q", got, want)
	}
}
