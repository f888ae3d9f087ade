package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRuntimeExtrasDecision checks what decides the zone database, and
// that one the binary reads but the root lacks is a warning, not a file.
func TestRuntimeExtrasDecision(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.WriteFile(bin, []byte("no zone path here"), 0o755); err != nil {
		t.Fatal(err)
	}
	withZone := t.TempDir()
	if err := os.MkdirAll(filepath.Join(withZone, "usr/share/zoneinfo/Europe"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	yes, no := true, false
	tests := []struct {
		name    string
		opts    Options
		extras  int
		note    string
		warning string
	}{
		{"std only", Options{Root: withZone}, 0, "left out: the binary does not read it", ""},
		{"TZ", Options{Root: withZone, Env: []string{"TZ=Europe/Paris"}}, 1, "shipped: TZ is set", ""},
		{"crate", Options{Root: withZone, Extras: Extras{Crates: []string{"jiff"}}}, 1, "shipped: the crate jiff", ""},
		{"asked", Options{Root: withZone, Extras: Extras{TZData: &yes, TZDataFrom: "flag"}}, 1, "shipped: tzdata set by flag", ""},
		{"refused", Options{Root: withZone, Env: []string{"TZ=UTC"}, Extras: Extras{TZData: &no, TZDataFrom: "flag"}}, 0, "left out: tzdata set by flag", ""},
		{"base image", Options{Root: withZone, Base: "debian:12", Env: []string{"TZ=UTC"}}, 0, "automatic only with --base auto", ""},
		{"root lacks it", Options{Root: empty, Env: []string{"TZ=UTC"}}, 0, "but the root has no tzdata", "apt-get install tzdata"},
		{"init", Options{Root: withZone, Extras: Extras{Init: true}}, 1, "left out", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Binary = bin
			c := &Contents{}
			xs, err := runtimeExtras(tt.opts, c)
			if err != nil {
				t.Fatal(err)
			}
			if len(xs) != tt.extras || len(c.Notes) != 1 || !strings.Contains(c.Notes[0], tt.note) {
				t.Errorf("extras %v, notes %q; want %d extras and a note with %q", xs, c.Notes, tt.extras, tt.note)
			}
			w := strings.Join(c.Warnings, "\n")
			if (tt.warning == "") != (w == "") || !strings.Contains(w, tt.warning) {
				t.Errorf("warnings %q, want %q", w, tt.warning)
			}
		})
	}
}
