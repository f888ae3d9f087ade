package cargo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitGlibc(t *testing.T) {
	tests := []struct {
		target, triple, glibc, wantErr string
	}{
		{"aarch64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "", ""},
		{"aarch64-unknown-linux-gnu.2.17", "aarch64-unknown-linux-gnu", "2.17", ""},
		{"armv7-unknown-linux-gnueabihf.2.28", "armv7-unknown-linux-gnueabihf", "2.28", ""},
		{"x86_64-unknown-linux-musl", "x86_64-unknown-linux-musl", "", ""},
		{"x86_64-unknown-linux-musl.2.17", "", "", "-linux-gnu triple"},
		{"aarch64-unknown-linux-gnu.2", "", "", "glibc version such as aarch64-unknown-linux-gnu.2.17"},
		{"aarch64-unknown-linux-gnu.2.17.1", "", "", "not \"2.17.1\""},
		{"aarch64-unknown-linux-gnu.", "", "", "glibc version"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			triple, glibc, err := SplitGlibc(tt.target)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || triple != tt.triple || glibc != tt.glibc {
				t.Errorf("got %q %q %v, want %q %q", triple, glibc, err, tt.triple, tt.glibc)
			}
		})
	}
}

// TestCheckZigbuild finds cargo-zigbuild and zig where cargo and
// cargo-zigbuild look for them, with executables made here (the real
// tools are not installed on the test machine).
func TestCheckZigbuild(t *testing.T) {
	tests := []struct {
		name    string
		path    []string          // executables on PATH
		home    []string          // executables in $CARGO_HOME/bin
		env     map[string]string // CARGO_ZIGBUILD_* values; "@" is replaced with the PATH directory
		want    []string          // what the error says; nil for no error
		notWant []string
	}{
		{"both on PATH", []string{"cargo-zigbuild", "zig"}, nil, nil, nil, nil},
		{"subcommand in CARGO_HOME", []string{"zig"}, []string{"cargo-zigbuild"}, nil, nil, nil},
		{"zig at CARGO_ZIGBUILD_ZIG_PATH", []string{"cargo-zigbuild", "zig-0.13"}, nil, map[string]string{"CARGO_ZIGBUILD_ZIG_PATH": "@/zig-0.13"}, nil, nil},
		{"zig from python's ziglang", []string{"cargo-zigbuild", "python-with-ziglang"}, nil, map[string]string{"CARGO_ZIGBUILD_PYTHON_PATH": "@/python-with-ziglang"}, nil, nil},
		{"no cargo-zigbuild", []string{"zig"}, nil, nil, []string{"cargo install --locked cargo-zigbuild"}, []string{"ziglang.org"}},
		{"no zig", []string{"cargo-zigbuild", "python-without-ziglang"}, nil, map[string]string{"CARGO_ZIGBUILD_PYTHON_PATH": "@/python-without-ziglang"},
			[]string{"https://ziglang.org/download/", "pip install ziglang"}, []string{"cargo install"}},
		{"neither", nil, nil, nil, []string{"cargo install --locked cargo-zigbuild", "pip install ziglang", "pip install cargo-zigbuild"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin, home := t.TempDir(), t.TempDir()
			t.Setenv("PATH", bin)
			t.Setenv("CARGO_HOME", home)
			t.Setenv("CARGO_ZIGBUILD_ZIG_PATH", "")
			t.Setenv("CARGO_ZIGBUILD_PYTHON_PATH", filepath.Join(bin, "no-python"))
			for k, v := range tt.env {
				t.Setenv(k, strings.ReplaceAll(v, "@", bin))
			}
			for _, name := range tt.path {
				script(t, filepath.Join(bin, name))
			}
			for _, name := range tt.home {
				script(t, filepath.Join(home, "bin", name))
			}
			err := CheckZigbuild(context.Background())
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q says %q", err, w)
				}
			}
		})
	}
}

// script writes an executable shell script at p; a "python" one succeeds
// for `-m ziglang version` only when its name says it has ziglang.
func script(t *testing.T, p string) {
	t.Helper()
	body := "#!/bin/sh\nexit 0\n"
	if strings.HasSuffix(p, "without-ziglang") {
		body = "#!/bin/sh\necho 'No module named ziglang' >&2\nexit 1\n"
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}
