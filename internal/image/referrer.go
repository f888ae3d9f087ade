package image

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const emptyConfigType types.MediaType = "application/vnd.oci.empty.v1+json"

// Referrer is the OCI 1.1 artifact manifest for a document about subject:
// the document as its one layer, the empty config, and subject's
// descriptor. It depends only on its inputs, so the same image and
// document give the same digest.
func Referrer(subject partial.Describable, a Attachment) (v1.Image, error) {
	sd, err := partial.Descriptor(subject)
	if err != nil {
		return nil, fmt.Errorf("describing the image: %w", err)
	}
	layer := static.NewLayer(a.Data, types.MediaType(a.ArtifactType))
	ld, err := partial.Descriptor(layer)
	if err != nil {
		return nil, err
	}
	config := []byte("{}")
	ch, size, err := v1.SHA256(bytes.NewReader(config))
	if err != nil {
		return nil, err
	}
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: a.ArtifactType,
		Config:      v1.Descriptor{MediaType: emptyConfigType, Digest: ch, Size: size, Data: config},
		Layers:      []v1.Descriptor{*ld},
		Subject:     &v1.Descriptor{MediaType: sd.MediaType, Digest: sd.Digest, Size: sd.Size},
		Annotations: map[string]string{"org.opencontainers.image.created": a.Created.UTC().Format(time.RFC3339)},
	}
	for k, v := range a.Annotations {
		m.Annotations[k] = v
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&referrer{raw: raw, config: config, layer: layer, artifactType: a.ArtifactType})
}

type referrer struct {
	raw, config  []byte
	layer        v1.Layer
	artifactType string
}

func (a *referrer) RawConfigFile() ([]byte, error)      { return a.config, nil }
func (a *referrer) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (a *referrer) RawManifest() ([]byte, error)        { return a.raw, nil }
func (a *referrer) ArtifactType() (string, error)       { return a.artifactType, nil }

func (a *referrer) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if d, err := a.layer.Digest(); err == nil && d == h {
		return a.layer, nil
	}
	return nil, fmt.Errorf("artifact has no blob %s", h)
}

// Referrers are the artifact manifests of every image's attachments, in
// order, each about its own image, then those of the index's.
func (a *Artifact) Referrers() ([]v1.Image, error) {
	var out []v1.Image
	for _, att := range a.Attachments {
		r, err := Referrer(a.Index, att)
		if err != nil {
			return nil, fmt.Errorf("making the %s artifact about the index: %w", att.ArtifactType, err)
		}
		out = append(out, r)
	}
	for _, img := range a.Images {
		for _, att := range img.Attachments {
			r, err := Referrer(img.Image, att)
			if err != nil {
				return nil, fmt.Errorf("making the %s artifact: %w", att.ArtifactType, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}
