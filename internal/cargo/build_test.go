package cargo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBuildArgs(t *testing.T) {
	tests := []struct {
		name string
		o    BuildOptions
		want string
	}{
		{"defaults", BuildOptions{Bin: "x"}, "build --bin x --profile release"},
		{"everything", BuildOptions{ManifestPath: "w/Cargo.toml", Package: "p", Bin: "x", Profile: "dist",
			Features: []string{"a", "b"}, NoDefaultFeatures: true, Target: "x86_64-unknown-linux-gnu"},
			"build --manifest-path w/Cargo.toml --package p --bin x --profile dist --features a,b --no-default-features --target x86_64-unknown-linux-gnu"},
		{"all features", BuildOptions{Bin: "x", AllFeatures: true}, "build --bin x --profile release --all-features"},
		{"lockfile flags", BuildOptions{Bin: "x", Locked: true, Offline: true}, "build --bin x --profile release --locked --offline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(tt.o.Args(), " "); got != tt.want {
				t.Errorf("args = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStaticArgs(t *testing.T) {
	const triple = "x86_64-unknown-linux-gnu"
	tests := []struct {
		name    string
		env     []string
		config  string // the project's .cargo/config.toml
		wantEnv string
		wantArg string
	}{
		{"build table when no config", []string{"A=1"}, "", "", `build.rustflags=["-C", "target-feature=+crt-static"]`},
		{"build table joins build.rustflags", nil, "[build]\nrustflags = [\"-O\"]\n", "", `build.rustflags=["-C", "target-feature=+crt-static"]`},
		{"target table when the config has one", nil, "[target.'cfg(unix)']\nrustflags = [\"-O\"]\n", "",
			`target.` + triple + `.rustflags=["-C", "target-feature=+crt-static"]`},
		{"append to RUSTFLAGS", []string{"RUSTFLAGS=-O"}, "", "RUSTFLAGS=-O -C target-feature=+crt-static", ""},
		{"append to encoded", []string{"CARGO_ENCODED_RUSTFLAGS=-O"}, "", "CARGO_ENCODED_RUSTFLAGS=-O\x1f-C\x1ftarget-feature=+crt-static", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("CARGO_HOME", t.TempDir())
			if tt.config != "" {
				os.MkdirAll(filepath.Join(dir, ".cargo"), 0o755)
				if err := os.WriteFile(filepath.Join(dir, ".cargo", "config.toml"), []byte(tt.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := tt.env
			if env == nil {
				env = []string{"A=1"}
			}
			env, args := StaticArgs(env, []string{"build"}, triple, dir)
			if tt.wantEnv != "" && !slices.Contains(env, tt.wantEnv) {
				t.Errorf("env = %q, want %q in it", env, tt.wantEnv)
			}
			if tt.wantArg != "" && args[len(args)-1] != tt.wantArg {
				t.Errorf("args = %q, want %q last", args, tt.wantArg)
			}
			if tt.wantArg == "" && len(args) != 1 {
				t.Errorf("args = %q, want unchanged", args)
			}
		})
	}
}
