package publish

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berth-dev/berth/internal/image"
)

// DebugFile is a debug file attached to an image (--split-debuginfo).
type DebugFile struct {
	BuildID string
	Data    []byte
}

// DebugFiles fetches the debug files attached to the images of ref: an
// OCI layout given as oci:DIR (every debug file in it), or an image
// reference in a registry (the debug file of each platform's image, found
// through the referrers API or its tag fallback).
func DebugFiles(ctx context.Context, ref string, opts ...Option) ([]DebugFile, error) {
	o := makeOptions(opts)
	if dir, ok := strings.CutPrefix(ref, "oci:"); ok {
		return layoutDebugFiles(dir)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("%q is neither oci:DIR nor an image reference: %w", ref, err)
	}
	ro := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain)}
	if o.transport != nil {
		ro = append(ro, remote.WithTransport(o.transport))
	}
	digests, err := imageDigests(r, ro)
	if err != nil {
		return nil, err
	}
	var out []DebugFile
	for _, d := range digests {
		idx, err := remote.Referrers(r.Context().Digest(d.String()), append(ro, remote.WithFilter("artifactType", image.DebugInfoType))...)
		if err != nil {
			return nil, fmt.Errorf("listing the artifacts about %s@%s: %w", r.Context(), d, err)
		}
		got, err := debugFilesIn(idx, func(h v1.Hash) (v1.Image, error) {
			return remote.Image(r.Context().Digest(h.String()), ro...)
		})
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// imageDigests are the digests of the images ref names: its own, or each
// platform's of an index.
func imageDigests(r name.Reference, ro []remote.Option) ([]v1.Hash, error) {
	desc, err := remote.Get(r, ro...)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", r, err)
	}
	if !desc.MediaType.IsIndex() {
		return []v1.Hash{desc.Digest}, nil
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []v1.Hash
	for _, d := range m.Manifests {
		out = append(out, d.Digest)
	}
	return out, nil
}

// layoutDebugFiles are the debug files among the manifests of the OCI
// layout at dir.
func layoutDebugFiles(dir string) ([]DebugFile, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the OCI layout %s: %w", dir, err)
	}
	return debugFilesIn(idx, idx.Image)
}

// debugFilesIn reads the debug artifacts listed in idx, fetched with get.
func debugFilesIn(idx v1.ImageIndex, get func(v1.Hash) (v1.Image, error)) ([]DebugFile, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []DebugFile
	for _, d := range m.Manifests {
		if d.ArtifactType != image.DebugInfoType {
			continue
		}
		f, err := readDebugArtifact(get, d.Digest)
		if err != nil {
			return nil, fmt.Errorf("reading the debug artifact %s: %w", d.Digest, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func readDebugArtifact(get func(v1.Hash) (v1.Image, error), h v1.Hash) (DebugFile, error) {
	art, err := get(h)
	if err != nil {
		return DebugFile{}, err
	}
	m, err := art.Manifest()
	if err != nil {
		return DebugFile{}, err
	}
	layers, err := art.Layers()
	if err != nil || len(layers) != 1 {
		return DebugFile{}, fmt.Errorf("want one layer: %v", err)
	}
	rc, err := layers[0].Compressed() // stored as is: the ELF file
	if err != nil {
		return DebugFile{}, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return DebugFile{}, err
	}
	return DebugFile{BuildID: m.Annotations[image.BuildIDAnnotation], Data: data}, nil
}
