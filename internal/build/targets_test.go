package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tables use static_test.go's fakeToolchain: the e2e tests run the real
// rustc (Debian's, with the arm64 std); these cover the combinations one
// machine cannot have at once.

func TestPlanTargets(t *testing.T) {
	const host, arm = "x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"
	withGCC := func(name string) (string, error) { return "/usr/bin/" + name, nil }
	noGCC := func(name string) (string, error) { return "", errors.New("not found") }
	tests := []struct {
		name      string
		platforms []string
		static    bool
		installed []string
		look      func(string) (string, error)
		env       []string
		want      []string // triple|static|env per target
		wantErr   []string
	}{
		{"host and arm64 with cross gcc", []string{"linux/amd64,linux/arm64"}, false, []string{host, arm}, withGCC, []string{},
			[]string{"|false|", arm + "|false|CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=/usr/bin/aarch64-linux-gnu-gcc"}, nil},
		{"configured linker wins", []string{"linux/arm64"}, false, []string{host, arm}, withGCC, []string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=clang"},
			[]string{arm + "|false|"}, nil},
		{"static uses musl when installed", []string{"linux/amd64", "linux/arm64"}, true, []string{host, arm, "x86_64-unknown-linux-musl"}, withGCC, []string{},
			[]string{"x86_64-unknown-linux-musl|false|", arm + "|true|CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=/usr/bin/aarch64-linux-gnu-gcc"}, nil},
		{"no std and no linker, both reported", []string{"linux/riscv64", "linux/arm64"}, false, []string{host, arm}, noGCC, []string{},
			nil, []string{"rustup target add riscv64gc-unknown-linux-gnu", "libstd-rust-dev:riscv64", "apt install gcc-aarch64-linux-gnu", "[target.aarch64-unknown-linux-gnu] linker"}},
		{"arm v7 variant", []string{"linux/arm/v7"}, false, []string{host}, withGCC, []string{},
			nil, []string{"armv7-unknown-linux-gnueabihf is not installed", "libstd-rust-dev:armhf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := ParsePlatforms(tt.platforms)
			if err != nil {
				t.Fatal(err)
			}
			got, err := PlanTargets(context.Background(), fakeToolchain{host, tt.installed}, TargetRequest{
				Platforms: ps, Static: tt.static, Dir: t.TempDir(), Env: tt.env, LookPath: tt.look})
			if tt.wantErr != nil {
				for _, w := range tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("error %v does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var desc []string
			for _, g := range got {
				desc = append(desc, g.Triple+"|"+map[bool]string{true: "true", false: "false"}[g.Static]+"|"+strings.Join(g.Env, " "))
			}
			if strings.Join(desc, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("targets:\n%s\nwant:\n%s", strings.Join(desc, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParsePlatforms(t *testing.T) {
	ps, err := ParsePlatforms([]string{"linux/arm64, linux/amd64", "linux/arm64/v8", "linux/arm/v7"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "linux/arm64 linux/amd64 linux/arm/v7" {
		t.Errorf("got %v", got)
	}
	if _, err := ParsePlatforms([]string{"linux/s390x"}); err == nil || !strings.Contains(err.Error(), "linux/arm64") {
		t.Errorf("unsupported platform: %v", err)
	}
}

// TestPlanTargetsLibraryRoot finds the arm64 C library in Debian's multiarch
// directory, else in the cross packages' root, else says what to install.
func TestPlanTargetsLibraryRoot(t *testing.T) {
	const host, arm = "x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"
	withGCC := func(name string) (string, error) { return "/usr/bin/" + name, nil }
	tests := []struct {
		name, libc string // libc.so.6 placed at this path under the root, "" for none
		wantRoot   string // relative to the root, "" for "/"
		wantErr    string
	}{
		{"multiarch", "lib/aarch64-linux-gnu/libc.so.6", "", ""},
		{"cross packages", "usr/aarch64-linux-gnu/lib/libc.so.6", "usr/aarch64-linux-gnu", ""},
		{"none", "", "", "apt install libc6:arm64`, or `apt install libc6-arm64-cross`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsRoot := t.TempDir()
			if tt.libc != "" {
				p := filepath.Join(fsRoot, tt.libc)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ps, _ := ParsePlatforms([]string{"linux/arm64"})
			got, err := PlanTargets(context.Background(), fakeToolchain{host, []string{host, arm}}, TargetRequest{
				Platforms: ps, Dir: t.TempDir(), Env: []string{}, LookPath: withGCC, FS: fsRoot})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.wantRoot != "" {
				want = filepath.Join(fsRoot, tt.wantRoot)
			}
			if got[0].Root != want {
				t.Errorf("root %q, want %q", got[0].Root, want)
			}
		})
	}
}
