package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Attachment is a document about an image (its SBOM) published with it as
// an OCI 1.1 artifact whose subject is the image.
type Attachment struct {
	ArtifactType string // the document's media type, e.g. application/spdx+json
	Data         []byte
	Created      time.Time // annotation org.opencontainers.image.created
	// Subject is the image the document is about when it is not the
	// published image itself: one platform's image of a published index.
	Subject v1.Image
}

// WithAttachments publishes each attachment next to the image: in an OCI
// layout's index.json, and in a registry by digest, where the referrers API
// (or, on registries without it, the referrers tag scheme) lists it.
// Tarballs and the daemon cannot hold artifacts and ignore them.
func WithAttachments(atts ...Attachment) Option {
	return func(o *options) { o.attachments = append(o.attachments, atts...) }
}

const emptyConfigType types.MediaType = "application/vnd.oci.empty.v1+json"

// Artifact is the artifact manifest for a about subject: the document as its
// one layer, the empty config, and subject's descriptor. It depends only on
// its inputs, so the same image and document give the same digest.
func Artifact(subject v1.Image, a Attachment) (v1.Image, error) {
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
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&artifact{raw: raw, config: config, layer: layer, artifactType: a.ArtifactType})
}

type artifact struct {
	raw, config  []byte
	layer        v1.Layer
	artifactType string
}

func (a *artifact) RawConfigFile() ([]byte, error)      { return a.config, nil }
func (a *artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (a *artifact) RawManifest() ([]byte, error)        { return a.raw, nil }
func (a *artifact) ArtifactType() (string, error)       { return a.artifactType, nil }

func (a *artifact) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if d, err := a.layer.Digest(); err == nil && d == h {
		return a.layer, nil
	}
	return nil, fmt.Errorf("artifact has no blob %s", h)
}

// artifacts builds the attachments' artifacts: about img, or about their
// own Subject (img is nil when an index is published).
func (o options) artifacts(img v1.Image) ([]v1.Image, error) {
	var out []v1.Image
	for _, a := range o.attachments {
		subject := a.Subject
		if subject == nil {
			subject = img
		}
		if subject == nil {
			continue
		}
		art, err := Artifact(subject, a)
		if err != nil {
			return nil, fmt.Errorf("making the %s artifact: %w", a.ArtifactType, err)
		}
		out = append(out, art)
	}
	return out, nil
}

// withArtifacts adds img's attachments to an OCI layout's index.
func (o options) withArtifacts(idx v1.ImageIndex, img v1.Image) (v1.ImageIndex, error) {
	arts, err := o.artifacts(img)
	if err != nil {
		return nil, err
	}
	for _, art := range arts {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: art})
	}
	return idx, nil
}

// pushArtifacts pushes img's attachments by digest to t's repository; ggcr
// updates the referrers tag when the registry has no referrers API.
func (o options) pushArtifacts(ctx context.Context, img v1.Image, t name.Tag, ro ...remote.Option) error {
	arts, err := o.artifacts(img)
	if err != nil {
		return err
	}
	for _, art := range arts {
		d, err := art.Digest()
		if err != nil {
			return err
		}
		ref := t.Context().Digest(d.String())
		if err := remote.Write(ref, art, append(ro, remote.WithContext(ctx))...); err != nil {
			return fmt.Errorf("pushing the SBOM artifact %s: %w", ref.Name(), err)
		}
		o.logf("pushed %s (artifact about %s)", ref.Name(), t.Name())
	}
	return nil
}
