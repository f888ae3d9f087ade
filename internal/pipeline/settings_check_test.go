package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
)

// TestCheckBeforeCargo: a user the image cannot have, a relative library
// path and an include over a generated path are usage errors, naming their
// source, before cargo runs.
func TestCheckBeforeCargo(t *testing.T) {
	file := filepath.Join(t.TempDir(), "notes")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		flags config.Build
		libs  []string
		want  string // "" for no error
	}{
		{"nobody on auto", config.Build{User: ptr("nobody")}, nil, `user (from flag): user "nobody" is not in the auto base's /etc/passwd (it has root, nonroot)`},
		{"nonroot on scratch", config.Build{User: ptr("nonroot"), Base: ptr("scratch")}, nil, "scratch base"},
		{"nobody on a base image", config.Build{User: ptr("nobody"), Base: ptr("debian:12")}, nil, ""},
		{"numbers on scratch", config.Build{User: ptr("1000:1000"), Base: ptr("scratch")}, nil, ""},
		{"relative library path", config.Build{}, []string{"vendor/lib"}, `--library-path "vendor/lib" is relative`},
		{"include over passwd", config.Build{Include: []string{file + ":/etc/passwd"}}, nil, "include (from flag): include \"" + file + ":/etc/passwd\" lands on /etc/passwd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Resolve(config.Layer{Name: "default", Values: config.Defaults()}, config.Layer{Name: "flag", Values: tt.flags})
			err := checkBeforeCargo(cfg, "app", tt.libs)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !IsInput(err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("checkBeforeCargo = %v, want an input error with %q", err, tt.want)
			}
		})
	}
}
