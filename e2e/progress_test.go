package e2e

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

var liveLine = regexp.MustCompile(`\r\x1b\[Kpushing \S+: [0-9.]+ / [0-9.]+ MB \([0-9.]+ MB/s\)`)

// TestPushProgress pushes from a child cargo-berth: under a pseudo-terminal
// (script(1)) stderr shows a live line redrawn in place; into a pipe (a CI
// log) it holds plain lines only, no carriage return or escape sequence.
func TestPushProgress(t *testing.T) {
	testenv.RequireCargo(t)
	script, err := exec.LookPath("script")
	testenv.Require(t, "script", err == nil, "install util-linux (script gives the test a pseudo-terminal)")
	reg := testenv.StartRegistry(t)
	bin := realBerth(t)
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	args := []string{bin, "berth", "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--push"}
	env := append(os.Environ(), "BERTH_CACHE_DIR=off")

	tty := exec.Command(script, "-q", "-e", "-c", strings.Join(append(args, "-t", reg+"/berth-e2e/progress:tty"), " "), "/dev/null")
	tty.Env = env
	out, err := tty.CombinedOutput()
	if err != nil {
		t.Fatalf("under a terminal: %v\n%s", err, out)
	}
	if !liveLine.Match(out) {
		t.Errorf("terminal output lacks a live progress line:\n%q", out)
	}

	plain := exec.Command(args[0], append(args[1:], "-t", reg+"/berth-e2e/progress:plain")...)
	plain.Env = env
	out, err = plain.CombinedOutput()
	if err != nil {
		t.Fatalf("into a pipe: %v\n%s", err, out)
	}
	if strings.ContainsAny(string(out), "\r\x1b") || !pushedLine.Match(out) {
		t.Errorf("plain output has a carriage return or escape, or lacks the summary line:\n%q", out)
	}
}

var plainCompressLine = regexp.MustCompile(`(?m)^compressing application big: [0-9.]+ / [0-9.]+ MB \([0-9.]+ MB/s\)$`)

var compressLine = regexp.MustCompile(`\r\x1b\[Kcompressing application big: [0-9.]+ / [0-9.]+ MB \([0-9.]+ MB/s\)`)

// TestCompressionProgress: a layer whose compression takes seconds shows
// its progress too, live under a terminal and as plain lines in a log.
func TestCompressionProgress(t *testing.T) {
	script, err := exec.LookPath("script")
	testenv.Require(t, "script", err == nil, "install util-linux (script gives the test a pseudo-terminal)")
	// Machine code compresses slowly (random bytes do not: deflate stores
	// them at disk speed): 200 MB of it takes seconds.
	bin := realBerth(t)
	code, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	big := bigELFOf(t, 200<<20, repeated(code))
	args := []string{bin, "berth", "build", "--binary", big, "--sbom", "none", "--oci-layout"}
	env := append(os.Environ(), "BERTH_CACHE_DIR=off")

	tty := exec.Command(script, "-q", "-e", "-c", strings.Join(append(args, filepath.Join(t.TempDir(), "tty")), " "), "/dev/null")
	tty.Env = env
	out, err := tty.CombinedOutput()
	if err != nil {
		t.Fatalf("under a terminal: %v\n%s", err, out)
	}
	if !compressLine.Match(out) {
		t.Errorf("terminal output lacks a live compression line:\n%q", out)
	}

	plain := exec.Command(args[0], append(args[1:], filepath.Join(t.TempDir(), "plain"))...)
	plain.Env = env
	out, err = plain.CombinedOutput()
	if err != nil {
		t.Fatalf("into a pipe: %v\n%s", err, out)
	}
	if strings.ContainsAny(string(out), "\r\x1b") || !plainCompressLine.Match(out) {
		t.Errorf("plain output has a carriage return or escape, or lacks a compression line:\n%q", out)
	}
}

// repeated reads b over and over.
func repeated(b []byte) io.Reader {
	return &repeatReader{b: b}
}

type repeatReader struct {
	b   []byte
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.b[r.off:])
	r.off = (r.off + n) % len(r.b)
	return n, nil
}
