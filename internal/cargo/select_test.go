package cargo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func bins(names ...string) []Target {
	var out []Target
	for _, n := range names {
		out = append(out, Target{Name: n, Kind: []string{"bin"}})
	}
	return append(out, Target{Name: "lib", Kind: []string{"lib"}})
}

func TestSelectBinary(t *testing.T) {
	single := &Project{WorkspaceRoot: "/w", WorkspaceMembers: []string{"a"}, Packages: []Package{
		{Name: "a", ID: "a", ManifestPath: "/w/Cargo.toml", Targets: bins("a")},
	}}
	multi := &Project{WorkspaceRoot: "/w", WorkspaceMembers: []string{"a"}, Packages: []Package{
		{Name: "a", ID: "a", ManifestPath: "/w/Cargo.toml", Targets: bins("x", "y")},
	}}
	defaultRun := &Project{WorkspaceRoot: "/w", WorkspaceMembers: []string{"a"}, Packages: []Package{
		{Name: "a", ID: "a", ManifestPath: "/w/Cargo.toml", DefaultRun: "y", Targets: bins("x", "y")},
	}}
	virtual := &Project{WorkspaceRoot: "/w", WorkspaceMembers: []string{"a", "b", "c"}, Packages: []Package{
		{Name: "a", ID: "a", ManifestPath: "/w/a/Cargo.toml", Targets: bins("api")},
		{Name: "b", ID: "b", ManifestPath: "/w/b/Cargo.toml", Targets: bins("worker", "shared")},
		{Name: "c", ID: "c", ManifestPath: "/w/c/Cargo.toml", Targets: bins("shared")},
	}}
	tests := []struct {
		name     string
		pr       *Project
		manifest string // "" means the workspace root's
		pkg, bin string
		wantPkg  string
		wantBin  string
		wantErr  []string
	}{
		{"only binary", single, "", "", "", "a", "a", nil},
		{"member directory", virtual, "/w/b/Cargo.toml", "", "worker", "b", "worker", nil},
		{"member directory, ambiguous", virtual, "/w/b/Cargo.toml", "", "", "", "", []string{`package "b" has several binaries`}},
		{"explicit bin", multi, "", "", "y", "a", "y", nil},
		{"several, no default-run", multi, "", "", "", "", "", []string{"--bin", "x (package a)", "y (package a)"}},
		{"default-run", defaultRun, "", "", "", "a", "y", nil},
		{"unknown bin", multi, "", "", "z", "", "", []string{`no binary "z"`, "x (package a)"}},
		{"virtual by bin", virtual, "", "", "worker", "b", "worker", nil},
		{"virtual ambiguous bin", virtual, "", "", "shared", "", "", []string{"several packages", "-p/--package"}},
		{"virtual by package", virtual, "", "a", "", "a", "api", nil},
		{"package disambiguates", virtual, "", "c", "shared", "c", "shared", nil},
		{"unknown package", virtual, "", "nope", "", "", "", []string{`package "nope"`, "a, b, c"}},
		{"virtual many", virtual, "", "", "", "", "", []string{"the workspace has several binaries", "api (package a)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifest := tt.manifest
			if manifest == "" {
				manifest = "/w/Cargo.toml"
			}
			sel, err := tt.pr.SelectBinaryFrom(manifest, tt.pkg, tt.bin)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("got %s/%s, want error", sel.Package.Name, sel.Bin)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sel.Package.Name != tt.wantPkg || sel.Bin != tt.wantBin {
				t.Errorf("got %s/%s, want %s/%s", sel.Package.Name, sel.Bin, tt.wantPkg, tt.wantBin)
			}
		})
	}
}

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
