package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestReliabilityInterruptCompile sends a real SIGINT to the real binary while
// cargo is compiling (a build script that sleeps a minute keeps it there):
// the build must exit non-zero within a second, leave no output, and leave
// no cargo or build script running.
func TestReliabilityInterruptCompile(t *testing.T) {
	offlineCargo(t)
	proj := testenv.CopyFixture(t, "two-bins")
	marker := filepath.Join(t.TempDir(), "build-script-started")
	writeFile(t, filepath.Join(proj, "build.rs"),
		"fn main() { std::fs::write(r\""+marker+"\", std::process::id().to_string()).unwrap(); std::thread::sleep(std::time::Duration::from_secs(60)); }\n")
	out := filepath.Join(t.TempDir(), "layout")
	cmd := exec.Command(realBerth(t), "build", "--manifest-path", filepath.Join(proj, "Cargo.toml"), "--bin", "alpha", "--oci-layout", out)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		close(done)
	}()
	pid := waitForFile(t, marker, 2*time.Minute)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	<-done
	err = cmd.Wait()
	took := time.Since(start)
	if took > time.Second {
		t.Errorf("exited %v after SIGINT, want within 1s", took)
	}
	if err == nil {
		t.Errorf("exit 0 after SIGINT, want non-zero\nstderr:\n%s", strings.Join(lines, "\n"))
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written by an interrupted build", out)
	}
	if running(pid, time.Second) {
		t.Errorf("build script (pid %d) still running a second after the build exited", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// waitForFile waits for path to appear and returns the pid it holds.
func waitForFile(t *testing.T, path string, limit time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return pid
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within %v", path, limit)
	return 0
}

// running reports whether pid is still running (not gone, not a zombie)
// after waiting up to limit for it to end.
func running(pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			return false
		}
		// The state follows the parenthesised command name.
		if i := strings.LastIndexByte(string(b), ')'); i > 0 && i+2 < len(b) && b[i+2] == 'Z' {
			return false
		}
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
}
