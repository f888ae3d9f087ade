package cli

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/dockerfile"
)

// TestNoZigInBuilder: zig = true in Cargo.toml would reach the
// Dockerfile's stage step, which therefore gets --zig=false; from the
// environment it does not reach the builder at all.
func TestNoZigInBuilder(t *testing.T) {
	on, off := true, false
	tests := []struct {
		name   string
		value  *bool
		source string
		off    bool
	}{
		{"Cargo.toml", &on, "Cargo.toml [package.metadata.berth]", true},
		{"environment", &on, config.EnvLayer, false},
		{"off", &off, "Cargo.toml [package.metadata.berth]", false},
		{"unset", nil, "Cargo.toml [package.metadata.berth]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb strings.Builder
			var spec dockerfile.Spec
			noZigInBuilder(&streams{Err: &errb}, config.Resolve(config.Layer{Name: tt.source, Values: config.Build{Zig: tt.value}}), &spec)
			if spec.StageNoZig != tt.off {
				t.Errorf("stage gets --zig=false: %v, want %v", spec.StageNoZig, tt.off)
			}
			if got := strings.Contains(errb.String(), "zig = true (from "+tt.source+")"); got != tt.off {
				t.Errorf("stderr %q, want a note: %v", errb.String(), tt.off)
			}
		})
	}
}
