package verify

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/provenance"
)

// inputDiffs names the recorded inputs the rebuild resolved differently:
// the toolchain, the lock file, Debian packages, berth itself.
func inputDiffs(was provenance.Build, now *provenance.Build) []string {
	if now == nil {
		return nil
	}
	var out []string
	wd, nd := was.Dependencies, now.Dependencies
	if wd.Rustc != nil && nd.Rustc != nil && wd.Rustc.Verbose != nd.Rustc.Verbose {
		out = append(out, fmt.Sprintf("toolchain: built with %s (%s), rebuilt with %s (%s)",
			wd.Rustc.Field("release"), wd.Rustc.Field("commit-hash"), nd.Rustc.Field("release"), nd.Rustc.Field("commit-hash")))
	}
	if wd.Lockfile != nil && nd.Lockfile != nil && wd.Lockfile.SHA256 != nd.Lockfile.SHA256 {
		out = append(out, fmt.Sprintf("lock file %s: sha256 %s at the build, %s now (cargo resolved again: build with --locked)", wd.Lockfile.Path, wd.Lockfile.SHA256, nd.Lockfile.SHA256))
	}
	now2 := map[string]string{}
	for _, p := range nd.Packages {
		now2[p.Platform+" "+p.Name] = p.Version
	}
	for _, p := range wd.Packages {
		if v, ok := now2[p.Platform+" "+p.Name]; ok && v != p.Version {
			out = append(out, fmt.Sprintf("Debian package %s (%s): %s at the build, %s now", p.Name, p.Platform, p.Version, v))
		} else if !ok {
			out = append(out, fmt.Sprintf("Debian package %s %s (%s): in the build, not in the rebuild", p.Name, p.Version, p.Platform))
		}
	}
	if was.Internal.BerthVersion != now.Internal.BerthVersion {
		out = append(out, fmt.Sprintf("cargo-berth: %s at the build, %s now", was.Internal.BerthVersion, now.Internal.BerthVersion))
	}
	return out
}

// layerDiffs finds, for each platform, the first layer that differs and
// the files in it that differ.
func layerDiffs(was map[string]v1.Image, art *image.Artifact) ([]string, error) {
	var out []string
	for _, img := range art.Images {
		old, ok := was[img.Platform.String()]
		if !ok {
			old, ok = was[""]
		}
		if !ok {
			continue
		}
		why, err := firstLayerDiff(img.Platform.String(), old, img.Image)
		if err != nil {
			return out, err
		}
		out = append(out, why...)
	}
	return out, nil
}

func firstLayerDiff(platform string, was, now v1.Image) ([]string, error) {
	wl, err := was.Layers()
	if err != nil {
		return nil, err
	}
	nl, err := now.Layers()
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(wl) && i < len(nl); i++ {
		wd, err1 := wl[i].DiffID()
		nd, err2 := nl[i].DiffID()
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("reading layer %d: %v %v", i+1, err1, err2)
		}
		if wd == nd {
			continue
		}
		files, err := fileDiffs(wl[i], nl[i])
		head := fmt.Sprintf("%s: layer %d of %d differs (%s, rebuilt %s)", orImage(platform), i+1, len(wl), wd, nd)
		return append([]string{head}, files...), err
	}
	if len(wl) != len(nl) {
		return []string{fmt.Sprintf("%s: %d layers, the rebuild has %d", orImage(platform), len(wl), len(nl))}, nil
	}
	return []string{fmt.Sprintf("%s: the layers are the same; the image config differs", orImage(platform))}, nil
}

func orImage(platform string) string {
	if platform == "" {
		return "the image"
	}
	return platform
}

type entry struct {
	size int64
	sum  string
}

// fileDiffs lists the files of two layers that differ, with size and sha256.
func fileDiffs(was, now v1.Layer) ([]string, error) {
	a, err := files(was)
	if err != nil {
		return nil, err
	}
	b, err := files(now)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range sortedKeys(a, b) {
		x, inA := a[p]
		y, inB := b[p]
		switch {
		case !inB:
			out = append(out, fmt.Sprintf("  %s: only in the image (%d bytes, sha256 %s)", p, x.size, x.sum))
		case !inA:
			out = append(out, fmt.Sprintf("  %s: only in the rebuild (%d bytes, sha256 %s)", p, y.size, y.sum))
		case x != y:
			out = append(out, fmt.Sprintf("  %s: %d bytes, sha256 %s in the image; %d bytes, sha256 %s rebuilt", p, x.size, x.sum, y.size, y.sum))
		}
	}
	return out, nil
}

func files(l v1.Layer) (map[string]entry, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out := map[string]entry{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading a layer: %w", err)
		}
		sum := sha256.New()
		n, err := io.Copy(sum, tr)
		if err != nil {
			return nil, err
		}
		out["/"+h.Name] = entry{size: n, sum: hex.EncodeToString(sum.Sum(nil)) + fmt.Sprintf(" mode %o", h.Mode)}
	}
}

func sortedKeys(a, b map[string]entry) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]entry{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
