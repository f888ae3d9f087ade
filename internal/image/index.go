package image

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Manifest is one platform's image of a multi-platform index.
type Manifest struct {
	Image    v1.Image
	Platform v1.Platform
}

// Index is the OCI image index of the manifests, in the order given, each
// descriptor with its platform (and variant, e.g. arm/v7). It holds nothing
// but the images, so the same images give the same index digest.
func Index(ms []Manifest) (v1.ImageIndex, error) {
	if len(ms) == 0 {
		return nil, fmt.Errorf("an image index needs at least one image")
	}
	adds := make([]mutate.IndexAddendum, 0, len(ms))
	seen := map[string]bool{}
	for _, m := range ms {
		p := m.Platform
		if seen[p.String()] {
			return nil, fmt.Errorf("two images for platform %s in one index", p)
		}
		seen[p.String()] = true
		adds = append(adds, mutate.IndexAddendum{Add: plainImage{m.Image}, Descriptor: v1.Descriptor{Platform: &p}})
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	return mutate.AppendManifests(idx, adds...), nil
}

// plainImage has no artifact type: ggcr would otherwise copy the config media
// type into the descriptor as "artifactType", which OCI reserves for
// artifacts and which some clients then refuse to run.
type plainImage struct{ v1.Image }

func (plainImage) ArtifactType() (string, error) { return "", nil }

// ConfigLayer is the image's own config layer, when it has one: a pulled
// image's can then be mounted instead of uploaded.
func (p plainImage) ConfigLayer() (v1.Layer, error) { return partial.ConfigLayer(p.Image) }
