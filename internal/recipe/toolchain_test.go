package recipe

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/internal/cargo"
)

// TestToolchainFiles checks that rust-toolchain and rust-toolchain.toml
// reach the skeleton byte for byte. rustup reads the nearest one from the
// directory cargo runs in (the workspace root) upwards, so prepare takes
// them from the workspace root and every directory up to the context root
// (the recipe root), and nothing above it: that is outside a Docker
// context. The bytes are deliberately odd (CRLF, no final newline, a
// comment) to catch any re-encoding.
func TestToolchainFiles(t *testing.T) {
	cases := []struct {
		name, layout, workspace string
		files                   map[string]string // relative to the context root
		outside                 string            // a toolchain file above the context root
	}{
		{"workspace root is the context root", "single", ".", map[string]string{
			"rust-toolchain.toml": "# pinned\r\n[toolchain]\r\nchannel = \"1.80.0\"\r\ncomponents = [\"clippy\"]",
			"rust-toolchain":      "1.79.0",
		}, "outside-1.0.0\n"},
		{"workspace below the context root", "patched", "app", map[string]string{
			"app/rust-toolchain.toml": "[toolchain]\nchannel = \"nightly-2024-01-01\"\n",
			"rust-toolchain":          "stable\r\n",
			"app/vendor/cfg-if/rust-toolchain": "not read by rustup for the workspace, " +
				"but carried as a vendored source\n",
		}, "outside-1.0.0\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := copyLayout(t, c.layout)
			for p, data := range c.files {
				writeFile(t, filepath.Join(ctx, p), data)
			}
			writeFile(t, filepath.Join(filepath.Dir(ctx), "rust-toolchain"), c.outside)
			r := roundTrip(t, prepareLayout(t, ctx, c.workspace))
			got := map[string]File{}
			for _, f := range r.Files {
				got[f.Path] = f
			}
			for p := range c.files {
				f, ok := got[p]
				if !ok {
					t.Errorf("recipe has no %s", p)
					continue
				}
				if filepath.Dir(p) != "app/vendor/cfg-if" && f.Kind != KindToolchain {
					t.Errorf("%s has kind %q, want %q", p, f.Kind, KindToolchain)
				}
			}
			for p := range got {
				if filepath.Base(p) == "rust-toolchain" && c.files[p] == "" {
					t.Errorf("recipe holds %s, which is outside the context", p)
				}
			}
			work := cookSkeletonOnly(t, r)
			for p, data := range c.files {
				on, err := os.ReadFile(filepath.Join(work, filepath.FromSlash(p)))
				if err != nil {
					t.Errorf("skeleton: %v", err)
					continue
				}
				if !bytes.Equal(on, []byte(data)) {
					t.Errorf("skeleton %s = %q, want %q byte for byte", p, on, data)
				}
			}
		})
	}
}

// cookSkeletonOnly runs Cook with a cargo that always fails: Cook writes
// the skeleton before it runs cargo, so this stops it right after. It
// returns the skeleton directory.
func cookSkeletonOnly(t *testing.T, r *Recipe) string {
	t.Helper()
	work := t.TempDir()
	falseBin, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false(1) on PATH")
	}
	if _, err := Cook(context.Background(), r, CookOptions{Dir: work, Runner: &cargo.Runner{Cargo: falseBin}}); err == nil {
		t.Fatal("cook succeeded with a failing cargo")
	}
	return work
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPatchedMember pins how prepare treats a package that is both a
// workspace member and a [patch.crates-io] target (see Prepare): vendored,
// with its real sources and unmasked manifest, no stubs, never invalidated.
// TestCookContract's "patchmember" case checks, with real cargo, that the
// final build then compiles only app and finds cfg-if fresh.
func TestPatchedMember(t *testing.T) {
	r := prepareLayout(t, filepath.Join(layoutsDir, "patchmember"), ".")
	vendored := map[string]bool{}
	for _, p := range r.Packages {
		vendored[p.Name] = p.Vendored
	}
	if !vendored["cfg-if"] || vendored["app"] {
		t.Errorf("vendored = %v, want only cfg-if", vendored)
	}
	for _, tg := range r.Targets {
		if tg.Package == "cfg-if" {
			t.Errorf("cfg-if has a stub target %s; its real sources must be used", tg.Path)
		}
	}
	files := map[string]File{}
	for _, f := range r.Files {
		files[f.Path] = f
	}
	if f := files["cfg-if/src/lib.rs"]; f.Kind != KindSource || !bytes.Contains([]byte(f.Contents), []byte("macro_rules! cfg_if")) {
		t.Errorf("cfg-if/src/lib.rs is %q (%s), want the real source", f.Contents, f.Kind)
	}
	if f := files["cfg-if/Cargo.toml"]; !bytes.Contains([]byte(f.Contents), []byte(`version = "1.0.0"`)) {
		t.Errorf("cfg-if/Cargo.toml lost its version (a patch must match the registry version):\n%s", f.Contents)
	}
	for _, n := range r.localNames() {
		if n == "cfg-if" || n == "cfg_if" {
			t.Errorf("cook would invalidate %s, a vendored package", n)
		}
	}
}
