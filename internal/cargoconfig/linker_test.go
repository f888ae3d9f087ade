package cargoconfig

import (
	"os"
	"path/filepath"
	"testing"
)

func TestConfiguredLinker(t *testing.T) {
	t.Setenv("CARGO_HOME", t.TempDir())
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".cargo"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "[target.aarch64-unknown-linux-gnu]\nlinker = \"my-aarch64-cc\"\n"
	if err := os.WriteFile(filepath.Join(dir, ".cargo", "config.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, triple string
		env          []string
		want         string
	}{
		{"config file", "aarch64-unknown-linux-gnu", []string{}, "my-aarch64-cc"},
		{"env wins", "aarch64-unknown-linux-gnu", []string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=env-cc"}, "env-cc"},
		{"other triple", "armv7-unknown-linux-gnueabihf", []string{}, ""},
		{"env of another triple", "riscv64gc-unknown-linux-gnu", []string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ConfiguredLinker(tt.env, dir, tt.triple); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := LinkerEnv("armv7-unknown-linux-gnueabihf"); got != "CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER" {
		t.Errorf("LinkerEnv = %s", got)
	}
}
