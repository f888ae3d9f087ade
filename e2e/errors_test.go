package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestBuildBadInput checks that every bad input gets a clear error, a
// non-zero exit and no output written.
func TestBuildBadInput(t *testing.T) {
	offlineCargo(t)
	two := testenv.CopyFixture(t, "two-bins")
	twoManifest := filepath.Join(two, "Cargo.toml")
	broken := testenv.CopyFixture(t, "two-bins")
	if err := os.WriteFile(filepath.Join(broken, "src", "bin", "alpha.rs"), []byte("fn main() { let x: u32 = \"no\"; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := badInputs(t)
	scratch, notELF, macho, foreignFile, foreignDir := in.dir, in.notELF, in.macho, in.foreignFile, in.foreignDir
	missingLib := binaryWithMissingLibrary(t)
	outDir := filepath.Join(scratch, "out")

	tests := []struct {
		name      string
		dir       string // working directory; "" keeps the test's
		args      []string
		code      int
		want      []string
		untouched string // a path that must not exist afterwards
	}{
		{"no Cargo.toml", scratch, []string{"build"}, 1, []string{"no Cargo.toml in " + scratch, "--manifest-path"}, ""},
		{"missing manifest path", "", []string{"build", "--manifest-path", filepath.Join(scratch, "nope", "Cargo.toml")}, 2, []string{"--manifest-path", "no such file"}, ""},
		{"unknown bin", "", []string{"build", "--manifest-path", twoManifest, "--bin", "gamma"}, 1, []string{`no binary "gamma"`, "alpha (package two-bins)", "beta (package two-bins)"}, ""},
		{"ambiguous bin", "", []string{"build", "--manifest-path", twoManifest}, 1, []string{"several binaries", "--bin", "alpha", "beta"}, ""},
		{"unknown package", "", []string{"build", "--manifest-path", twoManifest, "-p", "nope"}, 1, []string{`package "nope"`, "two-bins"}, ""},
		{"cargo fails", "", []string{"build", "--manifest-path", filepath.Join(broken, "Cargo.toml"), "--bin", "alpha", "--oci-layout", outDir}, 1, []string{"cargo build", "mismatched types"}, outDir},
		{"not ELF", "", []string{"build", "--binary", notELF, "--oci-layout", outDir}, 1, []string{"not an ELF binary"}, outDir},
		{"Mach-O", "", []string{"build", "--binary", macho, "--oci-layout", outDir}, 1, []string{"Mach-O"}, outDir},
		{"missing library", "", []string{"build", "--binary", missingLib, "--oci-layout", outDir}, 1, []string{"libberthmissing.so", "needed by", "--library-path DIR"}, outDir},
		{"malformed tag", "", []string{"build", "--manifest-path", twoManifest, "--bin", "alpha", "-t", "Bad Tag!"}, 2, []string{`tag "Bad Tag!"`, "not a valid image reference"}, ""},
		{"push without tag", "", []string{"build", "--manifest-path", twoManifest, "--bin", "alpha", "--push"}, 2, []string{"--push needs", "-t/--tag"}, ""},
		{"bad env flag", "", []string{"build", "--manifest-path", twoManifest, "--bin", "alpha", "--env", "NOEQUALS"}, 2, []string{"--env", "KEY=VALUE"}, ""},
		{"foreign tarball path", "", []string{"build", "--manifest-path", twoManifest, "--bin", "alpha", "--tarball", foreignFile}, 1, []string{foreignFile}, ""},
		{"foreign layout dir", "", []string{"build", "--manifest-path", twoManifest, "--bin", "alpha", "--oci-layout", foreignDir}, 1, []string{foreignDir, "not an OCI"}, ""},
		{"missing sysroot", "", []string{"build", "--manifest-path", twoManifest, "--bin", "alpha", "--sysroot", filepath.Join(scratch, "nope")}, 2, []string{"--sysroot", "not a directory"}, ""},
		{"unwritable output", "", []string{"build", "--manifest-path", twoManifest, "--bin", "alpha", "--tarball", "/proc/berth/img.tar"}, 1, []string{"/proc/berth"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.dir != "" {
				t.Chdir(tt.dir)
			}
			r := berth(t, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code = %d, want %d\nstderr: %s", r.code, tt.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if tt.untouched != "" {
				if _, err := os.Stat(tt.untouched); err == nil {
					t.Errorf("%s was written despite the error", tt.untouched)
				}
			}
		})
	}
	if data, _ := os.ReadFile(foreignFile); string(data) != "my notes\n" {
		t.Errorf("the foreign file was changed: %q", data)
	}
	if _, err := os.Stat(filepath.Join(foreignDir, "cat.jpg")); err != nil {
		t.Errorf("the foreign directory was changed: %v", err)
	}
	if entries, _ := os.ReadDir(scratch); len(entries) != 4 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("scratch dir holds %v, want only the 4 inputs (no temporary files left)", names)
	}
}

// inputs are the bad files TestBuildBadInput feeds to berth, all in dir.
type inputs struct {
	dir, notELF, macho, foreignFile, foreignDir string
}

func badInputs(t *testing.T) inputs {
	t.Helper()
	dir := t.TempDir()
	in := inputs{dir: dir, notELF: filepath.Join(dir, "script.sh"), macho: filepath.Join(dir, "macho"),
		foreignFile: filepath.Join(dir, "notes.txt"), foreignDir: filepath.Join(dir, "photos")}
	files := map[string][]byte{
		in.notELF:                               []byte("#!/bin/sh\necho hi\n"),
		in.macho:                                {0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1, 3, 0, 0, 0},
		in.foreignFile:                          []byte("my notes\n"),
		filepath.Join(in.foreignDir, "cat.jpg"): []byte("jpeg"),
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

// binaryWithMissingLibrary links a C program against a library that is then
// deleted, so its closure cannot be complete.
func binaryWithMissingLibrary(t *testing.T) string {
	t.Helper()
	app, libDir := binaryWithPrivateLibrary(t)
	os.RemoveAll(libDir)
	return app
}

// binaryWithPrivateLibrary links a C program (exit status 7) against
// libberthmissing.so, kept in a directory of its own with no RPATH: only
// an extra library path finds it.
func binaryWithPrivateLibrary(t *testing.T) (app, libDir string) {
	t.Helper()
	cc, err := exec.LookPath("gcc")
	testenv.Require(t, "gcc", err == nil, "needed to build an ELF test binary")
	dir, libDir := t.TempDir(), t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lib.c", "int berth_missing(void) { return 7; }\n")
	write("main.c", "int berth_missing(void);\nint main(void) { return berth_missing(); }\n")
	run := func(args ...string) {
		cmd := exec.Command(cc, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gcc %v: %v\n%s", args, err, out)
		}
	}
	run("-shared", "-fPIC", "-o", filepath.Join(libDir, "libberthmissing.so"), "lib.c")
	run("-o", "app", "main.c", "-L"+libDir, "-lberthmissing")
	return filepath.Join(dir, "app"), libDir
}
