package cargo

import (
	"strings"
	"testing"
)

// TestFlagsArgs covers the flags only cook uses; TestBuildArgs covers what
// build and stage pass through BuildOptions, on the same Args.
func TestFlagsArgs(t *testing.T) {
	tests := []struct {
		name string
		f    Flags
		want string
	}{
		{"empty", Flags{}, "build"},
		{"cook of a workspace", Flags{Release: true, Workspace: true, Targets: []string{"a", "b"}, Locked: true},
			"build --release --target a --target b --workspace --locked"},
		{"check with targets", Flags{Check: true, Packages: []string{"p", "q"}, Bins: []string{"x"}, AllTargets: true, Tests: true},
			"check --package p --package q --bin x --tests --all-targets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(tt.f.Args(), " "); got != tt.want {
				t.Errorf("args = %q, want %q", got, tt.want)
			}
		})
	}
}
