package filehash

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, data, want string
		missing          bool
	}{
		{name: "empty", want: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{name: "abc", data: "abc", want: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{name: "missing", missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if !tt.missing {
				if err := os.WriteFile(path, []byte(tt.data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			sum, size, err := File(path)
			if tt.missing {
				if err == nil || !strings.Contains(err.Error(), "hashing "+path) {
					t.Errorf("error %v, want one naming %s", err, path)
				}
				return
			}
			if err != nil || sum != tt.want || size != int64(len(tt.data)) {
				t.Errorf("File = %s, %d, %v; want %s, %d", sum, size, err, tt.want, len(tt.data))
			}
		})
	}
}
