package e2e

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// peakLimit bounds cargo-berth's peak resident memory whatever the binary's
// size: layers are streamed, never held whole.
const peakLimit = 64 << 20

// TestPeakMemoryFlat packages a real ELF grown to 50 MB and to 500 MB with a
// random (incompressible) section, in a child cargo-berth process, and
// compares the children's peak RSS (getrusage): it must stay under peakLimit
// and not grow with the binary, with the layer cache on (a miss, which also
// writes the entry) and off.
func TestPeakMemoryFlat(t *testing.T) {
	testenv.RequireCargo(t)
	_, err := exec.LookPath("objcopy")
	testenv.Require(t, "objcopy", err == nil, "install binutils")
	dir := t.TempDir()
	berthBin := realBerth(t)
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	hostCargo(t, project, "build", "--release")
	app := filepath.Join(project, "target", "release", "hello-service")
	peaks := map[string]int64{}
	for _, run := range []struct {
		name  string
		mb    int
		cache string
	}{
		{"50MB", 50, filepath.Join(dir, "cache")},
		{"500MB", 500, filepath.Join(dir, "cache")},
		{"500MB-cache-off", 500, "off"},
	} {
		big := filepath.Join(dir, fmt.Sprintf("app-%d", run.mb))
		if _, err := os.Stat(big); err != nil {
			growELF(t, app, big, run.mb<<20)
		}
		layoutDir := filepath.Join(dir, "layout-"+run.name)
		peaks[run.name] = peakRSS(t, run.cache, berthBin, "berth", "build", "--binary", big, "--oci-layout", layoutDir)
		checkLayerSize(t, layoutDir, int64(run.mb)<<20)
		t.Logf("%s: peak RSS %.1f MiB", run.name, float64(peaks[run.name])/(1<<20))
		if peaks[run.name] > peakLimit {
			t.Errorf("%s: peak RSS %d MiB, want at most %d MiB", run.name, peaks[run.name]>>20, peakLimit>>20)
		}
	}
	if grown := peaks["500MB"] - peaks["50MB"]; grown > 16<<20 {
		t.Errorf("peak RSS grew by %d MiB from a 50 MB to a 500 MB binary, want it flat", grown>>20)
	}
}

// growELF writes src with a section of size random bytes added as dst.
func growELF(t *testing.T, src, dst string, size int) {
	t.Helper()
	payload := dst + ".payload"
	f, err := os.Create(payload)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	for n := 0; n < size; n += len(buf) {
		r.Read(buf)
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	defer os.Remove(payload)
	out, err := exec.Command("objcopy", "--add-section", ".berth_payload="+payload,
		"--set-section-flags", ".berth_payload=noload,readonly", src, dst).CombinedOutput()
	if err != nil {
		t.Fatalf("objcopy: %v\n%s", err, out)
	}
}

// peakRSS runs the command with BERTH_CACHE_DIR=cache and returns its peak
// resident set size in bytes, as GNU time reports it. Not from this test
// process's own wait4: Linux carries a parent's RSS high-water mark into a
// child it forks and execs (vfork shares the parent's memory), so a child
// of a big test process would report the test's size, not its own.
func peakRSS(t *testing.T, cache, name string, args ...string) int64 {
	t.Helper()
	timeBin, err := exec.LookPath("/usr/bin/time")
	testenv.Require(t, "GNU time (/usr/bin/time)", err == nil, "install the time package")
	report := filepath.Join(t.TempDir(), "rss")
	cmd := exec.Command(timeBin, append([]string{"-f", "%M", "-o", report, name}, args...)...)
	cmd.Env = append(os.Environ(), "BERTH_CACHE_DIR="+cache)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		t.Fatalf("GNU time reported %q: %v", data, err)
	}
	return kb << 10
}

// checkLayerSize fails unless the layout's image holds at least min
// compressed layer bytes (the random payload does not compress).
func checkLayerSize(t *testing.T, dir string, min int64) {
	t.Helper()
	total := imageSize(t, layoutImage(t, dir))
	if total < min {
		t.Errorf("layout %s holds %d layer bytes, want at least %d", dir, total, min)
	}
}
