// Command platform measures a two-platform `cargo berth build
// --platform linux/amd64,linux/arm64` of the hyper-service fixture against
// the amd64-only build, cold (empty target directory) and after a one-line
// edit (goal: both ≤ 2.2x). arm64 is cross-compiled, never emulated.
//
// Run it with `go run ./bench/platform` from the repository root. It uses
// Debian's toolchain (rustc and cargo at /usr/bin, the arm64 std from
// libstd-rust-dev:arm64, gcc-aarch64-linux-gnu, libc6:arm64), as
// scripts/ci-setup.sh installs it, because rustup cannot download targets here.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-dev/berth/bench/internal/fixture"
	"github.com/berth-dev/berth/bench/internal/report"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
)

const both = "linux/amd64,linux/arm64"

func main() {
	runs := flag.Int("runs", 3, "timed edit rebuilds per measurement (the median is reported)")
	coldRuns := flag.Int("cold-runs", 1, "timed cold builds per measurement")
	flag.Parse()
	if err := run(*runs, *coldRuns); err != nil {
		fmt.Fprintln(os.Stderr, "bench/platform:", err)
		os.Exit(1)
	}
}

type bench struct {
	*fixture.Hyper
}

func run(runs, coldRuns int) error {
	b, err := newBench()
	if err != nil {
		return err
	}
	defer os.RemoveAll(b.Tmp)
	var rows []report.Row
	cold := func(platforms string) ([]time.Duration, error) {
		var ds []time.Duration
		for i := 0; i < coldRuns; i++ {
			dir := filepath.Join(b.Tmp, fmt.Sprintf("cold-%d-%s", i, strings.ReplaceAll(platforms, "/", "_")))
			d, err := b.timed(dir, platforms)
			if err != nil {
				return nil, err
			}
			ds = append(ds, d)
		}
		return ds, nil
	}
	one, err := cold("linux/amd64")
	if err != nil {
		return err
	}
	two, err := cold(both)
	if err != nil {
		return err
	}
	rows = append(rows, ratioRow("cold build, amd64 + arm64", two, one))
	warm := filepath.Join(b.Tmp, "warm")
	var oneEdit, twoEdit []time.Duration
	for i := 0; i < runs; i++ {
		for _, m := range []struct {
			platforms string
			into      *[]time.Duration
		}{{"linux/amd64", &oneEdit}, {both, &twoEdit}} {
			if err := b.Edit(fmt.Sprintf("edit %d %s", i, m.platforms)); err != nil {
				return err
			}
			d, err := b.timed(warm, m.platforms)
			if err != nil {
				return err
			}
			*m.into = append(*m.into, d)
		}
	}
	rows = append(rows, ratioRow("rebuild after a one-line edit, amd64 + arm64", twoEdit[1:], oneEdit[1:]))
	size, err := b.armSize()
	if err != nil {
		return err
	}
	rows = append(rows, size)
	return report.Print("amd64 + arm64", "amd64 only", rows)
}

func ratioRow(what string, two, one []time.Duration) report.Row {
	t, o := report.Median(two), report.Median(one)
	ratio := t.Seconds() / o.Seconds()
	return report.Line(what, report.Secs(t), report.Secs(o), fmt.Sprintf("%.2fx", ratio), "≤ 2.2x", ratio <= 2.2)
}

func newBench() (*bench, error) {
	for _, p := range []string{"/usr/bin/cargo", "/usr/bin/rustc", "/usr/lib/rustlib/aarch64-unknown-linux-gnu", "/usr/bin/aarch64-linux-gnu-gcc"} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s is missing: run scripts/ci-setup.sh (the cross toolchain)", p)
		}
	}
	h, err := fixture.NewHyper("berth-bench-platform-", "CARGO=/usr/bin/cargo", "RUSTC=/usr/bin/rustc")
	if err != nil {
		return nil, err
	}
	return &bench{h}, nil
}

// layout is where every build writes its image; the last one stays.
func (b *bench) layout() string { return filepath.Join(b.Tmp, "layout") }

// timed runs one build with targetDir as cargo's target directory.
func (b *bench) timed(targetDir, platforms string) (time.Duration, error) {
	cmd := exec.Command(b.Binary, "build", "--platform", platforms, "--oci-layout", b.layout())
	cmd.Dir, cmd.Env = b.Project, append(b.Env, "CARGO_TARGET_DIR="+targetDir)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("cargo berth build --platform %s: %v\n%s", platforms, err, out)
	}
	return time.Since(start), nil
}

// armSize compares the arm64 image of the last two-platform build with its
// binary (goal: binary + 3 MiB, as for the host's image).
func (b *bench) armSize() (report.Row, error) {
	p, err := layout.FromPath(b.layout())
	if err != nil {
		return report.Row{}, err
	}
	outer, err := p.ImageIndex()
	if err != nil {
		return report.Row{}, err
	}
	om, err := outer.IndexManifest()
	if err != nil {
		return report.Row{}, err
	}
	// Beside the index, the layout holds each platform's SBOM artifact.
	var idx v1.ImageIndex
	for _, d := range om.Manifests {
		if d.MediaType.IsIndex() {
			if idx, err = outer.ImageIndex(d.Digest); err != nil {
				return report.Row{}, err
			}
		}
	}
	if idx == nil {
		return report.Row{}, fmt.Errorf("layout %s holds no image index", b.layout())
	}
	imgs, err := partial.FindImages(idx, func(d v1.Descriptor) bool { return d.Platform != nil && d.Platform.Architecture == "arm64" })
	if err != nil || len(imgs) != 1 {
		return report.Row{}, fmt.Errorf("no arm64 image in the index (%v)", err)
	}
	binSize, imgSize, err := fixture.ImageSizes(imgs[0])
	if err != nil {
		return report.Row{}, err
	}
	over := imgSize - binSize
	return report.Line("arm64 image size", fmt.Sprintf("%.2f MB image", float64(imgSize)/1e6),
		fmt.Sprintf("%.2f MB binary", float64(binSize)/1e6), fmt.Sprintf("binary + %.0f KiB", float64(over)/1024),
		"≤ binary + 3 MiB", over <= 3<<20), nil
}
