package extras

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestZone(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	named := filepath.Join(dir, "named")
	if err := os.WriteFile(plain, bytes.Repeat([]byte("x"), 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	// The path straddles the reader's 1 MiB chunks.
	data := append(bytes.Repeat([]byte("x"), 1<<20-5), []byte(ZoneDir+"/")...)
	if err := os.WriteFile(named, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		binary string
		crates []string
		env    []string
		want   bool
		why    string
	}{
		{"nothing", plain, []string{"serde"}, []string{"RUST_LOG=info"}, false, "does not read it"},
		{"TZ", plain, nil, []string{"TZ=Europe/Paris"}, true, "TZ is set"},
		{"jiff", plain, []string{"jiff"}, nil, true, "crate jiff"},
		{"chrono-tz embeds", plain, []string{"chrono-tz"}, nil, false, "does not read it"},
		{"path", named, nil, nil, true, "names " + ZoneDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why, err := Zone(tt.binary, tt.crates, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || !strings.Contains(why, tt.why) {
				t.Errorf("Zone = %v, %q; want %v, %q", got, why, tt.want, tt.why)
			}
		})
	}
	if _, _, err := Zone(filepath.Join(dir, "missing"), nil, nil); err == nil {
		t.Error("a missing binary gave no error")
	}
}

func TestMuslAllocator(t *testing.T) {
	tests := []struct {
		triple string
		crates []string
		warn   bool
	}{
		{"x86_64-unknown-linux-musl", []string{"serde"}, true},
		{"x86_64-unknown-linux-musl", []string{"mimalloc"}, false},
		{"aarch64-unknown-linux-musl", []string{"tikv-jemallocator"}, false},
		{"x86_64-unknown-linux-gnu", nil, false},
		{"armv7-unknown-linux-musleabihf", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.triple+strings.Join(tt.crates, ","), func(t *testing.T) {
			w := MuslAllocator(tt.triple, tt.crates)
			if (w != "") != tt.warn {
				t.Errorf("warning %q, want one: %v", w, tt.warn)
			}
			if w != "" && !strings.Contains(w, "mimalloc") {
				t.Errorf("warning %q does not name the usual fix", w)
			}
		})
	}
}
