// Command dockerfile measures the Dockerfile `cargo berth dockerfile` writes
// against the usual hand-written one (seed.Dockerfile: stub sources faked
// with echo, `cargo build`, sources restored and touched, build again,
// distroless cc runtime) on the hyper-service fixture, both built with
// BuildKit offline from the same local images, and prints a markdown table:
//
//   - rebuild time after a version bump (and `cargo update -w`) against the
//     seed's (goal ≤ 0.2x: the seed recompiles every dependency, berth none);
//   - rebuild time after a one-line source edit (goal ≤ 1x), and the part
//     of it apart from cargo's own compile, where the two differ;
//   - image size against the binary's size (goal ≤ binary + 3 MiB; the seed
//     ships distroless cc, 24.4 MB with the real image).
//
// gcr.io/distroless/cc-debian12 cannot be pulled here: the seed runs on
// berth-test/distroless-cc:nonroot, made by scripts/builder-image.sh from the
// same Debian packages' files (22.8 MB against the real image's ~23.5 MB).
//
// With -control it measures instead the hand-written Dockerfile's
// source-edit rebuild against a copy of itself (an A/A run): the ratio
// shows the benchmark's resolution, which the source-edit goal allows for.
//
// With -churn it measures instead, on the 5-member churn workspace
// (e2e/testdata/fixtures/churn), the rebuild after a member-only manifest
// change with berth's two cook layers against the same Dockerfile with the
// seed's single cook layer (goal: 0 third-party crates compiled), and the
// rebuild after a new third-party dependency, where berth's target cache
// seeds the dependency layer (goal: only the new crate compiles).
//
// Run it with `go run ./bench/dockerfile` from the repository root (make
// bench). It needs Docker with the buildx plugin, debootstrap, cargo and
// Debian's packaged crates (scripts/ci-setup.sh).
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/berth-dev/berth/bench/internal/report"
)

func main() {
	runs := flag.Int("runs", 3, "timed rebuilds per measurement (the median is reported)")
	control := flag.Bool("control", false, "A/A run: measure the hand-written Dockerfile's source-edit rebuild against a copy of itself")
	churn := flag.Bool("churn", false, "measure, on the 5-member churn workspace, the rebuild after a member-only manifest change against the seed's single cook layer")
	flag.Parse()
	if err := run(*runs, *control, *churn); err != nil {
		fmt.Fprintln(os.Stderr, "bench/dockerfile:", err)
		os.Exit(1)
	}
}

func run(runs int, control, churn bool) error {
	b, err := newBench(control, churn)
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
	measures, title := []func(int) (report.Row, error){b.bumpRebuild, b.editRebuild, b.size}, "berth Dockerfile (hyper-service, BuildKit)"
	seedTitle := "hand-written Dockerfile"
	switch {
	case control:
		measures, title = []func(int) (report.Row, error){b.editRebuild}, "hand-written Dockerfile, a copy (A/A control)"
	case churn:
		measures, title = []func(int) (report.Row, error){b.churnRebuild, b.newDepRebuild}, "berth Dockerfile, two cook layers and a target cache (churn workspace, BuildKit)"
		seedTitle = "the seed's Dockerfile (one cook layer)"
	}
	var rows []report.Row
	for _, measure := range measures {
		r, err := measure(runs)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	return report.Print(title, seedTitle, rows)
}

// rebuildStats are the medians of one measurement's rebuilds, berth's then
// the seed's.
type rebuildStats struct {
	total [2]time.Duration
	// around is the rebuild's time apart from cargo's own ("Finished ... in
	// Xs"): where the two Dockerfiles differ when cargo does the same work,
	// measured free of the compile's noise.
	around [2]time.Duration
	deps   [2]int // registry crates compiled by the last rebuild
}

// rebuilds changes both projects the same way runs times and times each
// rebuild.
func (b *bench) rebuilds(runs int, change func(p *project, i int) error) (rebuildStats, error) {
	var st rebuildStats
	var totals, arounds [2][]time.Duration
	for i := 0; i < runs; i++ {
		for k, p := range b.projects {
			if err := change(p, i); err != nil {
				return st, err
			}
			start := time.Now()
			out, err := b.build(p)
			if err != nil {
				return st, err
			}
			took := time.Since(start)
			totals[k] = append(totals[k], took)
			arounds[k] = append(arounds[k], took-cargoTime(out))
			st.deps[k] = compiledDeps(out)
		}
	}
	for k := range st.total {
		st.total[k], st.around[k] = report.Median(totals[k]), report.Median(arounds[k])
	}
	return st, nil
}

func (b *bench) bumpRebuild(runs int) (report.Row, error) {
	st, err := b.rebuilds(runs, func(p *project, i int) error { return b.bump(p, i) })
	if err != nil {
		return report.Row{}, err
	}
	br, seed, deps := st.total[0], st.total[1], st.deps
	ratio := br.Seconds() / seed.Seconds()
	return report.Line("rebuild after a version bump + `cargo update -w`",
		fmt.Sprintf("%s (%d deps compiled)", report.Secs(br), deps[0]),
		fmt.Sprintf("%s (%d deps compiled)", report.Secs(seed), deps[1]),
		fmt.Sprintf("%.2fx", ratio), "≤ 0.2x", ratio <= 0.2 && deps[0] == 0), nil
}

func (b *bench) editRebuild(runs int) (report.Row, error) {
	st, err := b.rebuilds(runs, func(p *project, i int) error { return p.edit(i) })
	if err != nil {
		return report.Row{}, err
	}
	ratio := st.total[0].Seconds() / st.total[1].Seconds()
	extra := st.around[0] - st.around[1]
	goal, ok := "≤ 1x", ratio <= 1
	if b.control {
		// Two identical Dockerfiles: the ratio is the noise of the median.
		goal, ok = "none (the resolution)", true
	}
	return report.Line("rebuild after a one-line source edit",
		fmt.Sprintf("%s (%d deps compiled; apart from cargo's compile %s, %+d ms)", report.Secs(st.total[0]), st.deps[0],
			report.Secs(st.around[0]), extra.Milliseconds()),
		fmt.Sprintf("%s (apart from cargo's compile %s)", report.Secs(st.total[1]), report.Secs(st.around[1])),
		fmt.Sprintf("%.3fx", ratio), goal, ok), nil
}

var finishedRe = regexp.MustCompile(`Finished .* in ([0-9.]+)s`)

// cargoTime adds up the times cargo reports for its builds in a build's
// output.
func cargoTime(out string) time.Duration {
	var d time.Duration
	for _, m := range finishedRe.FindAllStringSubmatch(out, -1) {
		if s, err := strconv.ParseFloat(m[1], 64); err == nil {
			d += time.Duration(s * float64(time.Second))
		}
	}
	return d
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
