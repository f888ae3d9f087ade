package cli

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/dockerfile"
)

// TestCarryZig: the zig setting, from any source, reaches the Dockerfile:
// on, cook and stage pass --zig and stderr says RUST_IMAGE needs zig; off,
// stage gets --zig=false (a zig = true in Cargo.toml, which stage reads in
// the builder, cannot turn it on for stage alone); unset, neither.
func TestCarryZig(t *testing.T) {
	on, off := true, false
	tests := []struct {
		name    string
		value   *bool
		source  string
		zig     bool
		noZig   bool
		wantErr string
	}{
		{"Cargo.toml: for build only", &on, "Cargo.toml [package.metadata.berth]", false, true, "zig is on for cargo berth build (from Cargo.toml [package.metadata.berth]), not in the Dockerfile"},
		{"flag", &on, "flag", true, false, "zig is on (--zig)"},
		{"environment: for build only", &on, config.EnvLayer, false, true, "zig is on for cargo berth build (from BERTH_ZIG), not in the Dockerfile"},
		{"off", &off, "flag", false, true, ""},
		{"unset", nil, "Cargo.toml [package.metadata.berth]", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb strings.Builder
			var spec dockerfile.Spec
			carryZig(&streams{Err: &errb}, config.Resolve(config.Layer{Name: tt.source, Values: config.Build{Zig: tt.value}}), &spec)
			if spec.Zig != tt.zig || spec.StageNoZig != tt.noZig {
				t.Errorf("Zig %v, StageNoZig %v; want %v, %v", spec.Zig, spec.StageNoZig, tt.zig, tt.noZig)
			}
			if tt.wantErr == "" && errb.Len() > 0 || !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stderr %q, want %q", errb.String(), tt.wantErr)
			}
			if tt.zig && !strings.Contains(errb.String(), "RUST_IMAGE must have zig") {
				t.Errorf("stderr %q does not say RUST_IMAGE needs zig", errb.String())
			}
		})
	}
}
