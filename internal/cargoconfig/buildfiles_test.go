package cargoconfig

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTargetDirMoved: berth's own reader assumes <root>/target, so every
// way cargo can be told otherwise must send berth to cargo metadata.
func TestTargetDirMoved(t *testing.T) {
	tests := []struct {
		name  string
		env   []string
		files map[string]string // relative to the temporary directory
		want  bool
	}{
		{name: "nothing set", want: false},
		{name: "CARGO_TARGET_DIR", env: []string{"CARGO_TARGET_DIR=/tmp/t"}, want: true},
		{name: "CARGO_BUILD_TARGET_DIR", env: []string{"CARGO_BUILD_TARGET_DIR=/tmp/t"}, want: true},
		{name: "empty variable", env: []string{"CARGO_TARGET_DIR="}, want: false},
		{name: "workspace config", files: map[string]string{"ws/.cargo/config.toml": "[build]\ntarget-dir = \"out\"\n"}, want: true},
		{name: "parent directory's config", files: map[string]string{".cargo/config": "[build]\ntarget-dir = \"out\"\n"}, want: true},
		{name: "CARGO_HOME config", files: map[string]string{"home/config.toml": "build.target-dir = \"/out\"\n"}, want: true},
		{name: "working directory's config", files: map[string]string{"elsewhere/.cargo/config.toml": "[build]\ntarget-dir = \"out\"\n"}, want: true},
		{name: "other settings only", files: map[string]string{"ws/.cargo/config.toml": "[build]\njobs = 2\n", "ws/rust-toolchain.toml": "# target-dir is not read here\n"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := append([]string{"CARGO_HOME=" + filepath.Join(dir, "home")}, tt.env...)
			got := TargetDirMoved(env, filepath.Join(dir, "ws"), filepath.Join(dir, "elsewhere"))
			if got != tt.want {
				t.Errorf("TargetDirMoved = %v, want %v", got, tt.want)
			}
		})
	}
}
