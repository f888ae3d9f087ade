// Command dockerfile measures the Dockerfile `cargo berth dockerfile` writes
// against the usual hand-written one (seed.Dockerfile: stub sources faked
// with echo, `cargo build`, sources restored and touched, build again,
// distroless cc runtime) on the hyper-service fixture, both built with
// BuildKit offline from the same local images, and prints a markdown table:
//
//   - rebuild time after a version bump (and `cargo update -w`) against the
//     seed's (goal ≤ 0.2x: the seed recompiles every dependency, berth none);
//   - rebuild time after a one-line source edit (goal ≤ 1x);
//   - image size against the binary's size (goal ≤ binary + 3 MiB; the seed
//     ships distroless cc, 24.4 MB with the real image).
//
// gcr.io/distroless/cc-debian12 cannot be pulled here: the seed runs on
// berth-test/distroless-cc:nonroot, made by scripts/builder-image.sh from the
// same Debian packages' files (22.8 MB against the real image's ~23.5 MB).
//
// Run it with `go run ./bench/dockerfile` from the repository root (make
// bench). It needs Docker with the buildx plugin, debootstrap, cargo and
// Debian's packaged crates (scripts/ci-setup.sh).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/berth-dev/berth/bench/internal/report"
)

func main() {
	runs := flag.Int("runs", 3, "timed rebuilds per measurement (the median is reported)")
	flag.Parse()
	if err := run(*runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench/dockerfile:", err)
		os.Exit(1)
	}
}

func run(runs int) error {
	b, err := newBench()
	if err != nil {
		return err
	}
	defer b.close()
	fmt.Fprintln(os.Stderr, "bench/dockerfile: cold builds of both Dockerfiles (every dependency compiles)")
	for _, p := range b.projects {
		if _, err := b.build(p); err != nil {
			return err
		}
	}
	var rows []report.Row
	for _, measure := range []func(int) (report.Row, error){b.bumpRebuild, b.editRebuild, b.size} {
		r, err := measure(runs)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	return report.Print("berth Dockerfile (hyper-service, BuildKit)", "hand-written Dockerfile", rows)
}

// rebuilds changes both projects the same way runs times and times each
// rebuild; it returns the medians (berth, seed) and the compiled crates of
// the last berth and seed rebuild.
func (b *bench) rebuilds(runs int, change func(p *project, i int) error) (time.Duration, time.Duration, [2]int, error) {
	var times [2][]time.Duration
	var counts [2]int
	for i := 0; i < runs; i++ {
		for k, p := range b.projects {
			if err := change(p, i); err != nil {
				return 0, 0, counts, err
			}
			start := time.Now()
			out, err := b.build(p)
			if err != nil {
				return 0, 0, counts, err
			}
			times[k] = append(times[k], time.Since(start))
			counts[k] = compiledDeps(out)
		}
	}
	return report.Median(times[0]), report.Median(times[1]), counts, nil
}

func (b *bench) bumpRebuild(runs int) (report.Row, error) {
	br, seed, deps, err := b.rebuilds(runs, func(p *project, i int) error { return b.bump(p, i) })
	if err != nil {
		return report.Row{}, err
	}
	ratio := br.Seconds() / seed.Seconds()
	return report.Line("rebuild after a version bump + `cargo update -w`",
		fmt.Sprintf("%s (%d deps compiled)", report.Secs(br), deps[0]),
		fmt.Sprintf("%s (%d deps compiled)", report.Secs(seed), deps[1]),
		fmt.Sprintf("%.2fx", ratio), "≤ 0.2x", ratio <= 0.2 && deps[0] == 0), nil
}

func (b *bench) editRebuild(runs int) (report.Row, error) {
	br, seed, deps, err := b.rebuilds(runs, func(p *project, i int) error { return p.edit(i) })
	if err != nil {
		return report.Row{}, err
	}
	ratio := br.Seconds() / seed.Seconds()
	return report.Line("rebuild after a one-line source edit",
		fmt.Sprintf("%s (%d deps compiled)", report.Secs(br), deps[0]), report.Secs(seed),
		fmt.Sprintf("%.2fx", ratio), "≤ 1x", ratio <= 1), nil
}

func (b *bench) size(int) (report.Row, error) {
	var sizes [2]int64
	for k, p := range b.projects {
		s, err := imageSize(p.tag)
		if err != nil {
			return report.Row{}, err
		}
		sizes[k] = s
	}
	bin, err := fileSize(b.projects[0].tag, "/usr/local/bin/hyper-service")
	if err != nil {
		return report.Row{}, err
	}
	extra := sizes[0] - bin
	return report.Line("image size (binary "+mb(bin)+")", mb(sizes[0])+" (binary + "+mb(extra)+")", mb(sizes[1]),
		fmt.Sprintf("%.2fx", float64(sizes[0])/float64(sizes[1])), "≤ binary + 3 MiB", extra <= 3<<20), nil
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
