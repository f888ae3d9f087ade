package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/image"
)

// Annotations written on the index.json descriptors of an OCI layout: the
// tag alone (skopeo, podman, OCI spec) and the full name (containerd, docker).
const (
	RefNameAnnotation        = "org.opencontainers.image.ref.name"
	ContainerdNameAnnotation = "io.containerd.image.name"
	// LayoutAnnotation marks the index.json of every layout berth writes,
	// so that it replaces its own layouts and no one else's.
	LayoutAnnotation = "dev.berth.layout"
)

// OCILayout writes an OCI image layout directory holding only the published
// artifact (an index as it is, with every image and attachment). The
// directory is replaced as a whole, so the same artifact and tags always
// give the same bytes; a directory that is not an OCI layout (and not
// empty), a file or a symlink at dir is refused and left untouched.
func OCILayout(dir string, opts ...Option) Sink {
	return &ociLayout{dir: dir, opts: makeOptions(opts)}
}

type ociLayout struct {
	dir  string
	opts options
}

// Check refuses a directory that is not a layout to replace.
func (p *ociLayout) Check() error { return checkLayoutTarget(p.dir, p.opts.force) }

func (p *ociLayout) Publish(ctx context.Context, art *image.Artifact, tags []name.Tag) ([]Published, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := art.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing the image digest: %w", err)
	}
	idx, err := layoutIndex(art, tags)
	if err != nil {
		return nil, err
	}
	if err := p.write(ctx, idx); err != nil {
		return nil, err
	}
	out := refs(Published{Digest: d, Output: "oci-layout", Dest: p.dir}, tags, shortRef)
	for _, v := range art.Variants {
		vd, err := v.Artifact.Digest()
		if err != nil {
			return out, err
		}
		out = append(out, refs(Published{Digest: vd, Output: "oci-layout", Dest: p.dir}, variantTags(tags, v.Suffix), shortRef)...)
	}
	return out, nil
}

// layoutIndex lists the artifact's top (its index, or its one image with
// its platform) once per tag, once when untagged, then every attachment;
// then each variant's the same way under its tags.
func layoutIndex(art *image.Artifact, tags []name.Tag) (v1.ImageIndex, error) {
	adds, err := layoutAdds(art, tags)
	if err != nil {
		return nil, err
	}
	for _, v := range art.Variants {
		more, err := layoutAdds(v.Artifact, variantTags(tags, v.Suffix))
		if err != nil {
			return nil, err
		}
		adds = append(adds, more...)
	}
	return mutate.AppendManifests(empty.Index, adds...), nil
}

// layoutAdds are the index.json entries of one artifact.
func layoutAdds(art *image.Artifact, tags []name.Tag) ([]mutate.IndexAddendum, error) {
	var top mutate.Appendable = art.Index
	var desc v1.Descriptor
	if art.Index == nil {
		img := art.Images[0].Image
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading image config: %w", err)
		}
		if p := cf.Platform(); p != nil && p.OS != "" && p.Architecture != "" {
			desc.Platform = p
		}
		top = plainImage{img}
	}
	adds := []mutate.IndexAddendum{{Add: top, Descriptor: desc}}
	if len(tags) > 0 {
		adds = adds[:0]
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[t.Name()] {
			continue
		}
		seen[t.Name()] = true
		d := desc
		d.Annotations = map[string]string{RefNameAnnotation: t.TagStr(), ContainerdNameAnnotation: t.Name()}
		adds = append(adds, mutate.IndexAddendum{Add: top, Descriptor: d})
	}
	referrers, err := art.Referrers()
	if err != nil {
		return nil, err
	}
	for _, r := range referrers {
		adds = append(adds, mutate.IndexAddendum{Add: r})
	}
	return adds, nil
}

// write replaces the layout directory with one whose index.json is idx.
// The destination is checked again just before the swap (Open checked it
// before the build): a file put there while cargo ran is not replaced.
func (p *ociLayout) write(ctx context.Context, idx v1.ImageIndex) error {
	if err := p.Check(); err != nil {
		return err
	}
	p.opts.logf("writing OCI layout %s", p.dir)
	idx, ok := mutate.Annotations(idx, map[string]string{LayoutAnnotation: "1"}).(v1.ImageIndex)
	if !ok {
		return fmt.Errorf("writing OCI layout %s: annotating its index", p.dir)
	}
	err := atomicfile.ReplaceDir(ctx, p.dir, true, func(tmp string) error {
		reuseBlobs(p.dir, tmp, idx)
		if _, err := layout.Write(tmp, idx); err != nil {
			return err
		}
		// Interrupted while writing: the old layout stays.
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("writing OCI layout %s: %w", p.dir, err)
	}
	return nil
}

// checkLayoutTarget refuses to replace anything but an OCI layout berth
// wrote (or, with force, any OCI layout) or an empty directory.
func checkLayoutTarget(dir string, force bool) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking output %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("output %s exists and is not a directory (%s); remove it or choose another path for the OCI layout", dir, describeMode(fi.Mode()))
	}
	if marker, err := os.Lstat(filepath.Join(dir, "oci-layout")); err == nil && marker.Mode().IsRegular() {
		if force {
			return nil
		}
		if writtenByBerth(dir) {
			return foreignEntries(dir)
		}
		return fmt.Errorf("output %s is an OCI layout berth did not write (its index.json lacks the %s annotation); refusing to replace it: pass --force to replace it, or choose another path", dir, LayoutAnnotation)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("checking output %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("output %s is a non-empty directory without an oci-layout file, so not an OCI image layout; refusing to replace it: remove it or choose another path", dir)
	}
	return nil
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symlink; pass the real path"
	case m.IsRegular():
		return "a regular file"
	default:
		return m.Type().String()
	}
}

// plainImage has no artifact type: ggcr would otherwise copy the config media
// type into index.json as "artifactType", which OCI reserves for artifacts.
type plainImage struct{ v1.Image }

func (plainImage) ArtifactType() (string, error) { return "", nil }

// writtenByBerth reports whether dir's index.json carries LayoutAnnotation.
func writtenByBerth(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return false
	}
	var idx struct {
		Annotations map[string]string `json:"annotations"`
	}
	return json.Unmarshal(data, &idx) == nil && idx.Annotations[LayoutAnnotation] != ""
}

// foreignEntries refuses a layout of berth's that holds files a layout does
// not (notes a user put there): the directory is replaced whole, so they
// would be lost. --force replaces it all the same.
func foreignEntries(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("checking output %s: %w", dir, err)
	}
	for _, e := range entries {
		switch e.Name() {
		case "oci-layout", "index.json":
			continue
		case "blobs":
			if e.IsDir() {
				if err := foreignBlobs(filepath.Join(dir, "blobs")); err != nil {
					return err
				}
				continue
			}
		}
		return fmt.Errorf("output %s holds %s, which is not part of an OCI layout: the layout is replaced whole, so it would be lost; move it out of the directory (or pass --force to replace it all)", dir, e.Name())
	}
	return nil
}

// foreignBlobs refuses anything in blobs/ but algorithm directories of
// digest-named files.
func foreignBlobs(blobs string) error {
	algs, err := os.ReadDir(blobs)
	if err != nil {
		return fmt.Errorf("checking output %s: %w", blobs, err)
	}
	for _, a := range algs {
		if !a.IsDir() {
			return fmt.Errorf("output %s holds %s, which is not a blob: the layout is replaced whole, so it would be lost; move it out (or pass --force)", blobs, a.Name())
		}
		files, err := os.ReadDir(filepath.Join(blobs, a.Name()))
		if err != nil {
			return fmt.Errorf("checking output %s: %w", blobs, err)
		}
		for _, f := range files {
			if _, err := v1.NewHash(a.Name() + ":" + f.Name()); err != nil || f.IsDir() {
				return fmt.Errorf("output %s holds %s, which is not a blob: the layout is replaced whole, so it would be lost; move it out (or pass --force)", blobs, filepath.Join(a.Name(), f.Name()))
			}
		}
	}
	return nil
}
