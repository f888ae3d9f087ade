// Command build measures `cargo berth build` against its baselines on the
// hyper-service fixture and prints a markdown table of ratios:
//
//   - image size against the binary's size (goal: dynamic ≤ binary + 3 MiB,
//     --static ≤ binary + 512 KiB; the hand-written distroless-cc Dockerfile
//     gives 24.4 MB for a 1.4 MB binary);
//   - rebuild time after a one-line source edit against `cargo build
//     --release` for the same edit (goal ≤ 1.05x);
//   - no-op rebuild time against cargo's own no-op (goal ≤ +0.1 s);
//   - what the supply-chain data (SBOM and .dep-v0 section) adds to a
//     build, against `--sbom none --no-audit-section` (goal ≤ +50 ms);
//   - what `--sign --key` adds to a pushed no-op build and to a pushed
//     rebuild after a one-line edit (goal ≤ +50 ms).
//
// Run it with `go run ./bench/build` from the repository root (make bench).
// It needs cargo and Debian's packaged crates (scripts/ci-setup.sh).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/berth-dev/berth/bench/internal/report"
)

func main() {
	runs := flag.Int("runs", 3, "timed runs per measurement (the median is reported)")
	only := flag.String("only", "", "run only this measurement: size, edit, noop, supply, sign or sign-edit")
	flag.Parse()
	if err := run(*runs, *only); err != nil {
		fmt.Fprintln(os.Stderr, "bench/build:", err)
		os.Exit(1)
	}
}

func run(runs int, only string) error {
	b, err := newBench()
	if err != nil {
		return err
	}
	defer os.RemoveAll(b.Tmp)
	fmt.Fprintln(os.Stderr, "bench/build: warming up (first cargo build of the fixture's dependencies)")
	if _, err := b.berth("build", "--oci-layout", b.layout("warm")); err != nil {
		return err
	}
	// berth's remapped builds have a target directory of their own
	// (target/.berth): cargo's baseline compiles its dependencies once too.
	if _, err := b.cargo("build", "--release"); err != nil {
		return err
	}
	var rows []report.Row
	for _, m := range []struct {
		name    string
		measure func(int) (report.Row, error)
	}{{"size", b.sizeDynamic}, {"size", b.sizeStatic}, {"edit", b.editRebuild}, {"noop", b.noopRebuild}, {"supply", b.supplyCost}, {"sign", b.signCost}, {"sign-edit", b.signEditCost}} {
		if only != "" && m.name != only {
			continue
		}
		r, err := m.measure(runs)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	return report.Print("cargo berth build", "baseline", rows)
}

func (b *bench) editRebuild(runs int) (report.Row, error) {
	var cargoTimes, berthTimes []time.Duration
	for i := 0; i < runs; i++ {
		if err := b.Edit(fmt.Sprintf("cargo edit %d", i)); err != nil {
			return report.Row{}, err
		}
		d, err := b.timed(b.cargo, "build", "--release")
		if err != nil {
			return report.Row{}, err
		}
		cargoTimes = append(cargoTimes, d)
		if err := b.Edit(fmt.Sprintf("berth edit %d", i)); err != nil {
			return report.Row{}, err
		}
		d, err = b.timed(b.berth, "build", "--oci-layout", b.layout("edit"))
		if err != nil {
			return report.Row{}, err
		}
		berthTimes = append(berthTimes, d)
	}
	c, br := report.Median(cargoTimes), report.Median(berthTimes)
	ratio := br.Seconds() / c.Seconds()
	return report.Line("rebuild after a one-line edit", report.Secs(br), report.Secs(c)+" (cargo build --release)",
		fmt.Sprintf("%.2fx", ratio), "≤ 1.05x", ratio <= 1.05), nil
}

func (b *bench) noopRebuild(runs int) (report.Row, error) {
	var cargoTimes, berthTimes []time.Duration
	for i := 0; i < runs; i++ {
		d, err := b.timed(b.cargo, "build", "--release")
		if err != nil {
			return report.Row{}, err
		}
		cargoTimes = append(cargoTimes, d)
		d, err = b.timed(b.berth, "build", "--oci-layout", b.layout("noop"))
		if err != nil {
			return report.Row{}, err
		}
		berthTimes = append(berthTimes, d)
	}
	c, br := report.Median(cargoTimes), report.Median(berthTimes)
	extra := br - c
	return report.Line("no-op rebuild", report.Secs(br), report.Secs(c)+" (cargo no-op)",
		fmt.Sprintf("+%s", report.Secs(extra)), "≤ +0.1 s", extra <= 100*time.Millisecond), nil
}

// supplyCost times no-op builds with and without the SBOM and the .dep-v0
// section, interleaved, three times as many runs as the others: the
// difference is tens of milliseconds.
func (b *bench) supplyCost(runs int) (report.Row, error) {
	w, wo, err := b.interleaved(3*runs, nil, []string{"build", "--oci-layout", b.layout("supply")},
		[]string{"build", "--sbom", "none", "--no-audit-section", "--oci-layout", b.layout("bare")})
	if err != nil {
		return report.Row{}, err
	}
	extra := w - wo
	return report.Line("SBOM + .dep-v0 section (no-op build)", report.Millis(w), report.Millis(wo)+" (--sbom none --no-audit-section)",
		fmt.Sprintf("%+d ms", extra.Milliseconds()), "≤ +50 ms", extra <= 50*time.Millisecond), nil
}

// interleaved runs berth with the two argument lists in turn, n times each,
// calling prep (when not nil) before each run, untimed, and returns the
// median time of each.
func (b *bench) interleaved(n int, prep func(run string) error, with, without []string) (time.Duration, time.Duration, error) {
	var ws, wos []time.Duration
	for i := 0; i < n; i++ {
		for _, c := range []struct {
			name  string
			args  []string
			times *[]time.Duration
		}{{"with", with, &ws}, {"without", without, &wos}} {
			if prep != nil {
				if err := prep(fmt.Sprintf("run %d %s", i, c.name)); err != nil {
					return 0, 0, err
				}
			}
			d, err := b.timed(b.berth, c.args...)
			if err != nil {
				return 0, 0, err
			}
			fmt.Fprintf(os.Stderr, "bench/build: run %d %s: %d ms\n", i, c.name, d.Milliseconds())
			*c.times = append(*c.times, d)
		}
	}
	return report.Median(ws), report.Median(wos), nil
}

func (b *bench) timed(f func(...string) (string, error), args ...string) (time.Duration, error) {
	start := time.Now()
	_, err := f(args...)
	return time.Since(start), err
}

func command(dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}
