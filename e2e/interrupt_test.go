package e2e

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

var realBerthBuild struct {
	once sync.Once
	path string
	err  error
}

// realBerth builds the cargo-berth command itself, for the tests that need
// a process of its own: signals reach it as they reach a user's.
func realBerth(t *testing.T) string {
	t.Helper()
	realBerthBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "berth-e2e-bin-")
		if err != nil {
			realBerthBuild.err = err
			return
		}
		realBerthBuild.path = filepath.Join(dir, "cargo-berth")
		cmd := exec.Command("go", "build", "-o", realBerthBuild.path, "./cmd/cargo-berth")
		cmd.Dir = testenv.RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			realBerthBuild.err = err
			t.Logf("%s", out)
		}
	})
	if realBerthBuild.err != nil {
		t.Fatalf("building cargo-berth: %v", realBerthBuild.err)
	}
	return realBerthBuild.path
}

// bigELF is a real executable grown to about size bytes by an extra
// section of random (incompressible) bytes: compressing it takes seconds.
func bigELF(t *testing.T, size int64) string {
	t.Helper()
	return bigELFOf(t, size, rand.Reader)
}

// bigELFOf is bigELF with the section's bytes read from payload.
func bigELFOf(t *testing.T, size int64, payload io.Reader) string {
	t.Helper()
	if _, err := exec.LookPath("objcopy"); err != nil {
		testenv.Require(t, "objcopy (binutils)", false, err.Error())
	}
	dir := t.TempDir()
	section := filepath.Join(dir, "payload")
	f, err := os.Create(section)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, payload, size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(dir, "big")
	cmd := exec.Command("objcopy", "--add-section", ".payload="+section, "/bin/true", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, b)
	}
	os.Remove(section)
	return out
}

// waitForGlob waits until pattern matches a file.
func waitForGlob(t *testing.T, pattern string, limit time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			return
		}
	}
	t.Fatalf("nothing matched %s within %s", pattern, limit)
}

// TestInterruptDuringPackaging: Ctrl-C while a big layer is compressed
// stops berth within a second, non-zero, with the previous layout intact;
// a second Ctrl-C exits at once.
func TestInterruptDuringPackaging(t *testing.T) {
	bin := realBerth(t)
	layoutDir := filepath.Join(t.TempDir(), "layout")
	run := func(binary, cache string) *exec.Cmd {
		cmd := exec.Command(bin, "build", "--binary", binary, "--oci-layout", layoutDir, "-t", "app:e2e")
		cmd.Env = append(os.Environ(), "BERTH_CACHE_DIR="+cache)
		return cmd
	}
	if out, err := run("/bin/true", "off").CombinedOutput(); err != nil {
		t.Fatalf("first build: %v\n%s", err, out)
	}
	before, err := os.ReadFile(filepath.Join(layoutDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	big := bigELF(t, 400<<20)
	for _, signals := range []int{1, 2} {
		// A fresh cache: its entry's temporary file appears when the
		// compression starts, which is when the signals are sent.
		cache := t.TempDir()
		cmd := run(big, cache)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForGlob(t, filepath.Join(cache, "layers", "*", ".berth-tmp-*"), time.Minute)
		start := time.Now()
		for i := 0; i < signals; i++ {
			cmd.Process.Signal(syscall.SIGINT)
		}
		err := cmd.Wait()
		took := time.Since(start)
		code := cmd.ProcessState.ExitCode()
		t.Logf("%d interrupt(s): exit %d after %s; stderr: %s", signals, code, took, stderr.String())
		if code != 130 {
			t.Errorf("%d interrupt(s): exit code %d (%v), want 130", signals, code, err)
		}
		if took > time.Second {
			t.Errorf("%d interrupt(s): berth took %s to stop, want at most 1 s", signals, took)
		}
		if after, _ := os.ReadFile(filepath.Join(layoutDir, "index.json")); !bytes.Equal(after, before) {
			t.Errorf("%d interrupt(s): the previous layout was replaced", signals)
		}
	}
}
