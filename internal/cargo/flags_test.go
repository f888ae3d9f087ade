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
		{"zig", Flags{Zig: true, Release: true, Targets: []string{"aarch64-unknown-linux-gnu"}},
			"build --release --target aarch64-unknown-linux-gnu"},
		{"zig's glibc version never reaches cargo (the wrapper links against it)", Flags{Zig: true, Glibc: "2.17",
			Targets: []string{"aarch64-unknown-linux-gnu", "x86_64-unknown-linux-musl", "armv7-unknown-linux-gnueabihf"}},
			"build --target aarch64-unknown-linux-gnu --target x86_64-unknown-linux-musl --target armv7-unknown-linux-gnueabihf"},
		{"glibc version needs zig", Flags{Glibc: "2.17", Targets: []string{"aarch64-unknown-linux-gnu"}},
			"build --target aarch64-unknown-linux-gnu"},
		{"check wins over zig", Flags{Check: true, Zig: true, Glibc: "2.17", Targets: []string{"aarch64-unknown-linux-gnu"}},
			"check --target aarch64-unknown-linux-gnu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(tt.f.Args(), " "); got != tt.want {
				t.Errorf("args = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestZigSelectionArgs: cargo gets the real triple, never the glibc suffix
// (cargo metadata would not know the target, and a build would put its
// files where cook's clean-up does not look: cargo-chef#367).
func TestZigSelectionArgs(t *testing.T) {
	f := Flags{Zig: true, Glibc: "2.28", Targets: []string{"aarch64-unknown-linux-gnu"}}
	if got := strings.Join(f.SelectionArgs("--filter-platform"), " "); got != "--filter-platform aarch64-unknown-linux-gnu" {
		t.Errorf("selection args = %q", got)
	}
	o := BuildOptions{Bin: "x", Target: "aarch64-unknown-linux-gnu", Zig: true, Glibc: "2.28"}
	if got := strings.Join(o.Args(), " "); got != "build --bin x --profile release --target aarch64-unknown-linux-gnu" {
		t.Errorf("build args = %q", got)
	}
	if got := strings.Join(o.ResolveArgs(), " "); strings.Contains(got, "2.28") {
		t.Errorf("resolve args = %q, want the real triple", got)
	}
}
