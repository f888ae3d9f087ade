package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestReplaceable(t *testing.T) {
	ours := func(data []byte) bool { return string(data) == "berth" }
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
	}{
		{"absent", func(*testing.T, string) {}, nil},
		{"berth's own", func(t *testing.T, p string) { write(t, p, "berth") }, nil},
		{"another file", func(t *testing.T, p string) { write(t, p, "fn main() {}") }, ErrForeign},
		{"a symbolic link to berth's own", func(t *testing.T, p string) {
			write(t, p+".real", "berth")
			if err := os.Symlink(p+".real", p); err != nil {
				t.Fatal(err)
			}
		}, ErrNotRegular},
		{"a directory", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, ErrNotRegular},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "out")
			tt.setup(t, p)
			if err := Replaceable(p, ours); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Replaceable = %v, want %v", err, tt.want)
			}
		})
	}
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
