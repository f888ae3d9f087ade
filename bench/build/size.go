package main

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/bench/internal/fixture"
	"github.com/berth-dev/berth/bench/internal/report"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

const mib = 1 << 20

// sizeDynamic compares the default image with its binary.
func (b *bench) sizeDynamic(int) (report.Row, error) {
	return b.size("image size, dynamic (glibc)", 3*mib, "≤ binary + 3 MiB")
}

// sizeStatic does the same for --static.
func (b *bench) sizeStatic(int) (report.Row, error) {
	return b.size("image size, --static", 512<<10, "≤ binary + 512 KiB", "--static")
}

func (b *bench) size(what string, budget int64, goal string, extra ...string) (report.Row, error) {
	dir := b.layout("size" + strings.Join(extra, ""))
	args := append([]string{"build", "--oci-layout", dir}, extra...)
	if _, err := b.berth(args...); err != nil {
		return report.Row{}, err
	}
	binSize, imgSize, err := layoutSizes(dir)
	if err != nil {
		return report.Row{}, err
	}
	over := imgSize - binSize
	return report.Line(what, fmt.Sprintf("%.2f MB image", float64(imgSize)/1e6),
		fmt.Sprintf("%.2f MB binary (distroless-cc Dockerfile: 24.4 MB)", float64(binSize)/1e6),
		fmt.Sprintf("binary + %.0f KiB", float64(over)/1024), goal, over <= budget), nil
}

// layoutSizes returns the size of the application layer's binary and the
// whole image's unpacked size (the sum of its layers' tar streams, as
// `docker images` counts it).
func layoutSizes(dir string) (binary, total int64, err error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return 0, 0, err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return 0, 0, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return 0, 0, err
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		return 0, 0, err
	}
	return fixture.ImageSizes(img)
}
