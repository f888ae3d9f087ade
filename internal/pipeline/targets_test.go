package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
			checkPlan(t, got, err, func(g Target) string {
				return fmt.Sprintf("%s|%t|%s", g.Triple, g.Static, strings.Join(g.Env, " "))
			}, tt.want, tt.wantErr)
		})
	}
}

// checkPlan compares the planned targets, each as desc describes it, with
// want, or the error with every phrase of wantErr when that is not nil.
func checkPlan(t *testing.T, got []Target, err error, desc func(Target) string, want, wantErr []string) {
	t.Helper()
	if wantErr != nil {
		for _, w := range wantErr {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v does not say %q", err, w)
			}
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, g := range got {
		lines = append(lines, desc(g))
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("targets:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
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
// directory, else in the cross packages' root, else says what to install;
// libraries from an image need none here.
func TestPlanTargetsLibraryRoot(t *testing.T) {
	const host, arm = "x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"
	withGCC := func(name string) (string, error) { return "/usr/bin/" + name, nil }
	tests := []struct {
		name, libc string // libc.so.6 placed at this path under the root, "" for none
		image      bool   // the libraries come from an image (--runtime-from, a base image)
		wantRoot   string // relative to the root, "" for "/"
		wantErr    string
	}{
		{"multiarch", "lib/aarch64-linux-gnu/libc.so.6", false, "", ""},
		{"cross packages", "usr/aarch64-linux-gnu/lib/libc.so.6", false, "usr/aarch64-linux-gnu", ""},
		{"none", "", false, "", "apt install libc6:arm64`, or `apt install libc6-arm64-cross`"},
		{"none needed: from an image", "", true, "", ""},
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
				Platforms: ps, Dir: t.TempDir(), Env: []string{}, LookPath: withGCC, FS: fsRoot, ImageLibraries: tt.image})
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

// TestPlanTargetsZig: with zig no cross gcc is asked for (there is none
// here) and a configured linker is not kept: berth's zig wrapper links
// (written under W, the cache directory; the zig is a stand-in that
// answers `zig version`, as planning runs nothing else), the target's std and C library
// still are checked, and glibc +crt-static for another architecture is
// refused before anything runs (zig links glibc dynamically only).
func TestPlanTargetsZig(t *testing.T) {
	const host, arm, armMusl = "x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "aarch64-unknown-linux-musl"
	const armEnv = "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=W/aarch64-linux-gnu-cc CC_aarch64_unknown_linux_gnu=W/aarch64-linux-gnu-cc CXX_aarch64_unknown_linux_gnu=W/aarch64-linux-gnu-c++"
	const muslEnv = "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=W/aarch64-linux-musl-cc CC_aarch64_unknown_linux_musl=W/aarch64-linux-musl-cc CXX_aarch64_unknown_linux_musl=W/aarch64-linux-musl-c++"
	noGCC := func(string) (string, error) { return "", errors.New("not found") }
	tests := []struct {
		name      string
		platforms []string
		target    string
		static    bool
		installed []string
		env       []string
		want      []string // triple|static|env|note per target
		wantErr   []string
	}{
		{"no cross gcc needed", []string{"linux/amd64,linux/arm64"}, "", false, []string{host, arm}, nil,
			[]string{"|false||", arm + "|false|" + armEnv + "|linux/arm64: linking with zig 0.11.0 (from $BERTH_ZIG_PATH) through berth's wrapper W/aarch64-linux-gnu-cc"}, nil},
		{"a configured linker is not used", []string{"linux/arm64"}, "", false, []string{host, arm}, []string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=clang"},
			[]string{arm + "|false|" + armEnv + "|linux/arm64: linking with zig 0.11.0 (from $BERTH_ZIG_PATH) through berth's wrapper W/aarch64-linux-gnu-cc"}, nil},
		{"std still checked", []string{"linux/riscv64"}, "", false, []string{host}, nil,
			nil, []string{"rustup target add riscv64gc-unknown-linux-gnu"}},
		{"static with musl std", []string{"linux/arm64"}, "", true, []string{host, arm, armMusl}, nil,
			[]string{armMusl + "|false|" + muslEnv + "|linux/arm64: linking with zig 0.11.0 (from $BERTH_ZIG_PATH) through berth's wrapper W/aarch64-linux-musl-cc"}, nil},
		{"static glibc cross refused", []string{"linux/amd64,linux/arm64"}, "", true, []string{host, arm}, nil,
			nil, []string{"linux/arm64: zig cannot link glibc statically", "rustup target add aarch64-unknown-linux-musl"}},
		{"static glibc on the host is cargo's own link", []string{"linux/amd64"}, "", true, []string{host, arm}, nil,
			[]string{host + "|true||"}, nil},
		{"single target static glibc cross refused", nil, arm, true, []string{host, arm}, nil,
			nil, []string{"target aarch64-unknown-linux-gnu: zig cannot link glibc statically"}},
		{"single host target static", nil, host, true, []string{host}, nil,
			[]string{host + "|true||"}, nil},
		{"single target with a glibc version", nil, arm, false, []string{host, arm}, nil,
			[]string{arm + "|false|" + strings.ReplaceAll(armEnv, "gnu-c", "gnu.2.17-c") + "|linking with zig 0.11.0 (from $BERTH_ZIG_PATH) through berth's wrapper W/aarch64-linux-gnu.2.17-cc"}, nil},
		{"the user's CC is kept", nil, arm, false, []string{host, arm}, []string{"CC_aarch64_unknown_linux_gnu=clang"},
			[]string{arm + "|false|CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=W/aarch64-linux-gnu.2.17-cc CXX_aarch64_unknown_linux_gnu=W/aarch64-linux-gnu.2.17-c++|linking with zig 0.11.0 (from $BERTH_ZIG_PATH) through berth's wrapper W/aarch64-linux-gnu.2.17-cc"}, nil},
	}
	zig := filepath.Join(t.TempDir(), "zig")
	if err := os.WriteFile(zig, []byte("#!/bin/sh\necho 0.11.0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	wrapper := regexp.MustCompile(regexp.QuoteMeta(filepath.Join(cache, "berth", "zig")) + `/[0-9a-f]+`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := ParsePlatforms(tt.platforms)
			if err != nil {
				t.Fatal(err)
			}
			glibc := ""
			if tt.platforms == nil && !tt.static {
				glibc = "2.17"
			}
			fsRoot := t.TempDir() // the arm64 C library in its multiarch directory
			if err := os.MkdirAll(filepath.Join(fsRoot, "lib", "aarch64-linux-gnu"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(fsRoot, "lib", "aarch64-linux-gnu", "libc.so.6"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			env := tt.env
			if env == nil {
				env = []string{}
			}
			got, err := PlanTargets(context.Background(), fakeToolchain{host, tt.installed}, TargetRequest{
				Platforms: ps, Target: tt.target, Static: tt.static, Dir: t.TempDir(), Env: append(env, "BERTH_ZIG_PATH="+zig), LookPath: noGCC, FS: fsRoot, Zig: true, Glibc: glibc})
			checkPlan(t, got, err, func(g Target) string {
				return wrapper.ReplaceAllString(fmt.Sprintf("%s|%t|%s|%s", g.Triple, g.Static, strings.Join(g.Env, " "), g.Note), "W")
			}, tt.want, tt.wantErr)
		})
	}
}
