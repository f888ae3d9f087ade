package image

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ociLayerTypes maps Docker layer media types to their OCI equivalents; the
// blobs are identical, only the label differs.
var ociLayerTypes = map[types.MediaType]types.MediaType{
	types.DockerLayer:             types.OCILayer,
	types.DockerForeignLayer:      types.OCIRestrictedLayer,
	types.DockerUncompressedLayer: types.OCIUncompressedLayer,
	types.OCILayer:                types.OCILayer,
	types.OCILayerZStd:            types.OCILayerZStd,
	types.OCIRestrictedLayer:      types.OCIRestrictedLayer,
	types.OCIUncompressedLayer:    types.OCIUncompressedLayer,
}

// convertDocker rebuilds a Docker-typed base on the OCI-typed scratch image:
// same config (history included), same layer blobs, OCI media types. Layers
// lose the cross-repository mount optimisation of remote layers.
func convertDocker(scratch, base v1.Image) (v1.Image, error) {
	cf, err := base.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading base image config: %w", err)
	}
	m, err := base.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading base image manifest: %w", err)
	}
	layers, err := base.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading base image layers: %w", err)
	}
	if len(layers) != len(m.Layers) {
		return nil, fmt.Errorf("base image lists %d layers in its manifest but has %d", len(m.Layers), len(layers))
	}
	history := cf.History
	cf = cf.DeepCopy()
	cf.RootFS.DiffIDs, cf.History = nil, nil
	img, err := mutate.ConfigFile(scratch, cf)
	if err != nil {
		return nil, err
	}
	adds := make([]mutate.Addendum, 0, len(layers))
	for i, l := range layers {
		desc := m.Layers[i]
		mt, ok := ociLayerTypes[desc.MediaType]
		if !ok {
			return nil, fmt.Errorf("base image layer %s has media type %s, which has no OCI equivalent; use an OCI base image", desc.Digest, desc.MediaType)
		}
		adds = append(adds, mutate.Addendum{
			Layer:       relabelled{Layer: l, mediaType: mt},
			URLs:        desc.URLs,
			Annotations: desc.Annotations,
			MediaType:   mt,
		})
	}
	if img, err = mutate.Append(img, adds...); err != nil {
		return nil, fmt.Errorf("converting base image layers: %w", err)
	}
	// Append added one empty history entry per layer: restore the base's.
	if cf, err = img.ConfigFile(); err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.History = history
	return mutate.ConfigFile(img, cf)
}

// relabelled is a layer whose media type is overridden.
type relabelled struct {
	v1.Layer
	mediaType types.MediaType
}

func (l relabelled) MediaType() (types.MediaType, error) { return l.mediaType, nil }
