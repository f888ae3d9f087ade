package zigcc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestFindRealZig: the zig CI installs is found on PATH, and through
// $BERTH_ZIG_PATH, with its version.
func TestFindRealZig(t *testing.T) {
	zig := testenv.RequireZig(t)
	for _, env := range [][]string{{"PATH=" + os.Getenv("PATH")}, {"BERTH_ZIG_PATH=" + zig}} {
		z, err := Find(context.Background(), env)
		if err != nil {
			t.Fatal(err)
		}
		if !AtLeast(z.Version, MinVersion) || z.Argv[0] != zig {
			t.Errorf("found %+v, want %s at %s", z, MinVersion, zig)
		}
	}
}

// TestFindBadZig: a zig that is missing, too old or broken stops berth with
// its version (or its failure) and the ways to install one. Old and broken
// zigs are scripts here: only 0.11.0 is installed.
func TestFindBadZig(t *testing.T) {
	tests := []struct {
		name, script string
		want         []string
	}{
		{"too old", "echo 0.9.1", []string{`zig "0.9.1"`, "too old", "needs 0.11.0 or newer", "pip install ziglang"}},
		{"not a zig", "echo hello", []string{`zig "hello"`, "too old or not a zig"}},
		{"broken", "echo 'error: unable to find zig installation directory' >&2; exit 1",
			[]string{"does not run", "unable to find zig installation directory", "ziglang.org/download"}},
		{"missing", "", []string{"BERTH_ZIG_PATH=", "unset it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zig := filepath.Join(t.TempDir(), "zig")
			if tt.script != "" {
				if err := os.WriteFile(zig, []byte("#!/bin/sh\n"+tt.script+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Find(context.Background(), []string{"BERTH_ZIG_PATH=" + zig})
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not say %q", err, w)
				}
			}
		})
	}
}

// TestPrepare: the same berth, zig and target give the same wrapper paths
// (cook and stage then agree, and cargo keeps cook's dependencies), written
// once; another glibc gives other paths.
func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	z := Zig{Argv: []string{"/opt/zig it's/zig"}, Version: "0.11.0"}
	a, err := Prepare(z, "aarch64-unknown-linux-gnu", "2.17", "/usr/local/bin/cargo-berth", dir)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(a.CC)
	b, err := Prepare(z, "aarch64-unknown-linux-gnu", "2.17", "/usr/local/bin/cargo-berth", dir)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(b.CC)
	if a.CC != b.CC || strings.Join(a.Env, " ") != strings.Join(b.Env, " ") || !before.ModTime().Equal(after.ModTime()) {
		t.Errorf("second Prepare differs or rewrote: %+v %+v", a, b)
	}
	c, err := Prepare(z, "aarch64-unknown-linux-gnu", "2.28", "/usr/local/bin/cargo-berth", dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(c.CC) == filepath.Dir(a.CC) {
		t.Errorf("glibc 2.28 shares 2.17's wrapper directory %s", filepath.Dir(a.CC))
	}
	body, _ := os.ReadFile(a.CC)
	want := `exec '/usr/local/bin/cargo-berth' __zig-cc cc 'aarch64-unknown-linux-gnu.2.17' '/opt/zig it'\''s/zig' -- "$@"`
	if !strings.Contains(string(body), want) || before.Mode().Perm()&0o111 == 0 {
		t.Errorf("wrapper (mode %v):\n%s\nwant the line %s", before.Mode(), body, want)
	}
	if a.Env[0] != "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER="+a.CC {
		t.Errorf("env %q", a.Env)
	}
}
