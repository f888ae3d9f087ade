// Command zig measures `cargo berth build --zig --platform
// linux/amd64,linux/arm64` of the hyper-service fixture against the same
// build with Debian's cross gcc linking arm64, after a one-line edit (goal:
// ≤ 1.2x), and cold. amd64 is the host's, linked by cc in both; arm64 is
// linked by zig (through berth's own wrapper) or by aarch64-linux-gnu-gcc.
//
// Run it with `go run ./bench/zig` from the repository root. It needs what
// scripts/ci-setup.sh installs: Debian's cargo and rustc with the arm64 std,
// the cross gcc, and zig 0.11.0.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/bench/internal/fixture"
	"github.com/berth-dev/berth/bench/internal/report"
)

const both = "linux/amd64,linux/arm64"

func main() {
	runs := flag.Int("runs", 3, "timed edit rebuilds per measurement (the median is reported)")
	flag.Parse()
	if err := run(*runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench/zig:", err)
		os.Exit(1)
	}
}

func run(runs int) error {
	for _, p := range []string{"/usr/bin/cargo", "/usr/bin/rustc", "/usr/lib/rustlib/aarch64-unknown-linux-gnu", "/usr/bin/aarch64-linux-gnu-gcc"} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s is missing: run scripts/ci-setup.sh (the cross toolchain)", p)
		}
	}
	if _, err := exec.LookPath("zig"); err != nil {
		return fmt.Errorf("zig is not on PATH: run scripts/ci-setup.sh")
	}
	h, err := fixture.NewHyper("berth-bench-zig-", "CARGO=/usr/bin/cargo", "RUSTC=/usr/bin/rustc",
		"XDG_CACHE_HOME="+filepath.Join(os.TempDir(), "berth-bench-zig-cache"))
	if err != nil {
		return err
	}
	defer os.RemoveAll(h.Tmp)
	zigCold, err := timed(h, filepath.Join(h.Tmp, "zig"), true)
	if err != nil {
		return err
	}
	gccCold, err := timed(h, filepath.Join(h.Tmp, "gcc"), false)
	if err != nil {
		return err
	}
	var zigEdit, gccEdit []time.Duration
	for i := 0; i < runs+1; i++ {
		for _, m := range []struct {
			zig  bool
			into *[]time.Duration
		}{{true, &zigEdit}, {false, &gccEdit}} {
			if err := h.Edit(fmt.Sprintf("edit %d %t", i, m.zig)); err != nil {
				return err
			}
			dir := map[bool]string{true: "zig", false: "gcc"}[m.zig]
			d, err := timed(h, filepath.Join(h.Tmp, dir), m.zig)
			if err != nil {
				return err
			}
			*m.into = append(*m.into, d)
		}
	}
	rows := []report.Row{
		ratio("rebuild after a one-line edit, amd64 + arm64", zigEdit[1:], gccEdit[1:], 1.2),
		ratio("cold build, amd64 + arm64 (zig first; its own cache is cold on a first run)", []time.Duration{zigCold}, []time.Duration{gccCold}, 0),
	}
	return report.Print("--zig", "Debian's cross gcc", rows)
}

// ratio is a row of zig against gcc, with goal (0: none).
func ratio(what string, zig, gcc []time.Duration, goal float64) report.Row {
	z, g := report.Median(zig), report.Median(gcc)
	r := z.Seconds() / g.Seconds()
	if goal == 0 {
		return report.Line(what, report.Secs(z), report.Secs(g), fmt.Sprintf("%.2fx", r), "", true)
	}
	return report.Line(what, report.Secs(z), report.Secs(g), fmt.Sprintf("%.2fx", r), fmt.Sprintf("≤ %.1fx", goal), r <= goal)
}

// timed runs one two-platform build with targetDir as cargo's target
// directory, with --zig or without (Debian's cross gcc links arm64).
func timed(h *fixture.Hyper, targetDir string, zig bool) (time.Duration, error) {
	args := []string{"build", "--platform", both, "--oci-layout", filepath.Join(h.Tmp, "layout")}
	if zig {
		args = append(args, "--zig")
	}
	cmd := exec.Command(h.Binary, args...)
	cmd.Dir, cmd.Env = h.Project, append(h.Env, "CARGO_TARGET_DIR="+targetDir)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("cargo berth %v: %v\n%s", args, err, out)
	}
	return time.Since(start), nil
}
