package workspace_test

import (
	"testing"

	"github.com/berth-dev/berth/internal/workspace"
)

func TestMaskLockfile(t *testing.T) {
	const lock = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"1.2.3\"\ndependencies = [\n \"itoa\",\n \"util 3.1.4\",\n \"util 9.0.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n" +
		"[[package]]\nname = \"itoa\"\nversion = \"1.0.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n" +
		"[[package]]\nname = \"patched\"\nversion = \"2.0.0\"\n\n" +
		"[[package]]\nname = \"util\"\nversion = \"3.1.4\"\r\n\n" +
		"[[package]]\nname = \"util\"\nversion = \"9.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
	cases := []struct {
		name   string
		masked map[string]bool
		want   string
	}{
		{"nothing masked", nil, lock},
		{"locals masked, registry and patched kept", map[string]bool{"app": true, "util": true},
			"version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.0.0\"\ndependencies = [\n \"itoa\",\n \"util 0.0.0\",\n \"util 9.0.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n" +
				"[[package]]\nname = \"itoa\"\nversion = \"1.0.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n" +
				"[[package]]\nname = \"patched\"\nversion = \"2.0.0\"\n\n" +
				"[[package]]\nname = \"util\"\nversion = \"0.0.0\"\r\n\n" +
				"[[package]]\nname = \"util\"\nversion = \"9.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(workspace.MaskLockfile([]byte(lock), c.masked)); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}
