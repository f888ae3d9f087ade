package cargo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/cargoconfig"
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

func TestAddRustflags(t *testing.T) {
	const triple = "x86_64-unknown-linux-gnu"
	remap := []string{"--remap-path-prefix=/home/a b=/berth/workspace"}
	tests := []struct {
		name    string
		env     []string
		config  string // the project's .cargo/config.toml
		target  string
		flags   []string
		wantEnv string // an entry env must hold
		wantArg string // the last argument; "" means args unchanged
	}{
		{"build table when no config", nil, "", triple, CrtStatic, "", `build.rustflags=["-C", "target-feature=+crt-static"]`},
		{"build table joins build.rustflags", nil, "[build]\nrustflags = [\"-O\"]\n", triple, CrtStatic, "", `build.rustflags=["-C", "target-feature=+crt-static"]`},
		{"target table when the config has one", nil, "[target.'cfg(unix)']\nrustflags = [\"-O\"]\n", triple, CrtStatic, "",
			`target.` + triple + `.rustflags=["-C", "target-feature=+crt-static"]`},
		{"every target's table for a host build", nil, "[target." + triple + "]\nrustflags = [\"-O\"]\n", "", remap, "",
			`target.'cfg(all())'.rustflags=["--remap-path-prefix=/home/a b=/berth/workspace"]`},
		{"quoted for TOML", nil, "", "", []string{`--remap-path-prefix=/a"b\c=/x`}, "", `build.rustflags=["--remap-path-prefix=/a\"b\\c=/x"]`},
		{"append to RUSTFLAGS", []string{"RUSTFLAGS=-O"}, "", triple, CrtStatic, "RUSTFLAGS=-O -C target-feature=+crt-static", ""},
		{"RUSTFLAGS wins over the config", []string{"RUSTFLAGS=-O"}, "[build]\nrustflags = [\"-g\"]\n", triple, CrtStatic, "RUSTFLAGS=-O -C target-feature=+crt-static", ""},
		{"RUSTFLAGS encoded for a flag with a space", []string{"RUSTFLAGS=-O  -g"}, "", "", remap,
			"CARGO_ENCODED_RUSTFLAGS=-O\x1f-g\x1f--remap-path-prefix=/home/a b=/berth/workspace", ""},
		{"append to encoded", []string{"CARGO_ENCODED_RUSTFLAGS=-O"}, "", triple, CrtStatic, "CARGO_ENCODED_RUSTFLAGS=-O\x1f-C\x1ftarget-feature=+crt-static", ""},
		{"empty encoded", []string{"CARGO_ENCODED_RUSTFLAGS="}, "", "", remap, "CARGO_ENCODED_RUSTFLAGS=--remap-path-prefix=/home/a b=/berth/workspace", ""},
		{"encoded wins over RUSTFLAGS", []string{"CARGO_ENCODED_RUSTFLAGS=-O", "RUSTFLAGS=-g"}, "", triple, CrtStatic,
			"CARGO_ENCODED_RUSTFLAGS=-O\x1f-C\x1ftarget-feature=+crt-static", ""},
		{"the last of a repeated variable", []string{"RUSTFLAGS=-g", "RUSTFLAGS=-O"}, "", triple, CrtStatic, "RUSTFLAGS=-O -C target-feature=+crt-static", ""},
		{"no flags", []string{"RUSTFLAGS=-O"}, "", triple, nil, "RUSTFLAGS=-O", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.config != "" {
				os.MkdirAll(filepath.Join(dir, ".cargo"), 0o755)
				if err := os.WriteFile(filepath.Join(dir, ".cargo", "config.toml"), []byte(tt.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := append([]string{"CARGO_HOME=" + t.TempDir()}, tt.env...)
			env, args := AddRustflags(env, []string{"build"}, tt.target, dir, tt.flags)
			if name, want, _ := strings.Cut(tt.wantEnv, "="); tt.wantEnv != "" {
				if got, _ := cargoconfig.LookupEnv(env, name); got != want {
					t.Errorf("%s = %q as cargo sees it, want %q (env %q)", name, got, want, env)
				}
			}
			if tt.wantArg != "" && (len(args) != 3 || args[1] != "--config" || args[2] != tt.wantArg) {
				t.Errorf("args = %q, want --config %q last", args, tt.wantArg)
			}
			if tt.wantArg == "" && len(args) != 1 {
				t.Errorf("args = %q, want unchanged", args)
			}
		})
	}
}
