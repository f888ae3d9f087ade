package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
)

func TestCheckProvenanceOut(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, want string
	}{
		{"new file", filepath.Join(dir, "new.json"), ""},
		{"earlier statement", write("old.json", `{"_type":"https://in-toto.io/Statement/v1"}`), ""},
		{"a source file", write("main.rs", "fn main() {}"), "is not an in-toto statement"},
		{"an SBOM", write("sbom.json", `{"spdxVersion":"SPDX-2.3"}`), "is not an in-toto statement"},
		{"a directory", dir, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkProvenanceOut(tt.path)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !IsInput(err)) {
				t.Errorf("checkProvenanceOut(%s) = %v, want %q", tt.path, err, tt.want)
			}
		})
	}
}

// TestSettingsOf checks that every set setting is recorded with its source
// and an unset one is not.
func TestSettingsOf(t *testing.T) {
	base := "scratch"
	cfg := config.Resolve(config.Layer{Name: "default", Values: config.Defaults()}, config.Layer{Name: "flag", Values: config.Build{Base: &base}})
	got := settingsOf(cfg)
	if s := got["base"]; string(s.Value) != `"scratch"` || s.Source != "flag" {
		t.Errorf("base = %s from %s, want \"scratch\" from flag", s.Value, s.Source)
	}
	if _, ok := got["tags"]; ok {
		t.Error("an unset setting (tags) is recorded")
	}
	if s := got["provenance"]; string(s.Value) != `"slsa"` {
		t.Errorf("provenance = %s, want \"slsa\"", s.Value)
	}
}

func TestRelTo(t *testing.T) {
	for _, tt := range []struct{ root, path, want string }{
		{"/src", "/src/svc/Cargo.toml", "svc/Cargo.toml"},
		{"/src", "/elsewhere/Cargo.toml", "/elsewhere/Cargo.toml"},
		{"", "/src/Cargo.toml", "/src/Cargo.toml"},
	} {
		if got := relTo(tt.root, tt.path); got != tt.want {
			t.Errorf("relTo(%q, %q) = %q, want %q", tt.root, tt.path, got, tt.want)
		}
	}
}
