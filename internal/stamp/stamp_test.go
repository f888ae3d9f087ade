package stamp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		after time.Duration // how long after the write "now" is
		want  bool          // an identity is given
	}{
		{"settled", file, time.Minute, true},
		{"just written", file, 0, false},
		{"within the settling time", file, settle / 2, false},
		{"a directory", dir, time.Minute, false},
		{"missing", filepath.Join(dir, "none"), time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.path, time.Now().Add(tt.after)); (got != "") != tt.want {
				t.Errorf("Of = %q, want an identity: %v", got, tt.want)
			}
		})
	}
	before := Of(file, time.Now().Add(time.Minute))
	os.WriteFile(file, []byte("y"), 0o644) // same size
	if after := Of(file, time.Now().Add(time.Minute)); after == before {
		t.Errorf("identity %q unchanged by a rewrite", after)
	}
}

func TestStore(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	key := Key("sha256", "/bin/x", "1:2:3")
	if _, ok := s.Get(key); ok {
		t.Fatal("empty store has a value")
	}
	s.Put(key, "abc")
	if v, ok := s.Get(key); !ok || v != "abc" {
		t.Errorf("Get = %q, %v; want abc", v, ok)
	}
	// A torn write (no final newline) is a miss, not a wrong value.
	os.WriteFile(filepath.Join(s.Dir, key), []byte("ab"), 0o644)
	if v, ok := s.Get(key); ok {
		t.Errorf("torn value %q was returned", v)
	}
	var none Store
	none.Put(key, "abc")
	if _, ok := none.Get(key); ok {
		t.Error("a store with no directory kept a value")
	}
	s.Put("", "abc") // FileKey of a file not settled: nothing kept
	if _, ok := s.Get(""); ok {
		t.Error("the empty key names a value")
	}
	if Key("a", "bc") == Key("ab", "c") {
		t.Error("Key does not separate its parts")
	}
}

func TestFileKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if k := FileKey(file, time.Now(), "sha256"); k != "" {
		t.Errorf("a file just written has key %q", k)
	}
	later := time.Now().Add(time.Minute)
	a, b := FileKey(file, later, "sha256"), FileKey(file, later, "copy")
	if a == "" || a == b {
		t.Errorf("keys %q and %q: want two different ones", a, b)
	}
	os.WriteFile(file, []byte("y"), 0o644)
	if c := FileKey(file, time.Now().Add(time.Minute), "sha256"); c == a {
		t.Error("a rewrite kept the key")
	}
}

func TestIsSHA256(t *testing.T) {
	for v, want := range map[string]bool{
		strings.Repeat("0a", 32):            true,
		strings.Repeat("0A", 32):            false,
		strings.Repeat("0", 63):             false,
		strings.Repeat("0", 65):             false,
		"sha256:" + strings.Repeat("0", 57): false,
		"":                                  false,
	} {
		if IsSHA256(v) != want {
			t.Errorf("IsSHA256(%q) = %v, want %v", v, !want, want)
		}
	}
}
