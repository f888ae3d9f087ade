package publish

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/berth-dev/berth/internal/image"
)

var sbomDoc = image.Attachment{Kind: image.KindSBOM, ArtifactType: "application/spdx+json", Data: []byte(`{"spdxVersion":"SPDX-2.3"}`), Created: time.Unix(0, 0)}

// checkArtifact checks that art is an OCI 1.1 artifact about img holding
// the document.
func checkArtifact(t *testing.T, art v1.Image, img v1.Image) {
	t.Helper()
	if err := validate.Image(art); err != nil {
		t.Fatalf("artifact does not validate: %v", err)
	}
	m, err := art.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.ArtifactType != sbomDoc.ArtifactType || m.Config.MediaType != "application/vnd.oci.empty.v1+json" || m.Subject == nil {
		t.Fatalf("manifest: artifactType %q, config %q, subject %v", m.ArtifactType, m.Config.MediaType, m.Subject)
	}
	if m.Subject.Digest.String() != digestOf(t, img) {
		t.Errorf("subject %s, want the image %s", m.Subject.Digest, digestOf(t, img))
	}
	layers, _ := art.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
}

func TestArtifactDeterministic(t *testing.T) {
	img := testImage(t, randomLayers(t, 1)...)
	a, err := image.Referrer(img, sbomDoc)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := image.Referrer(img, sbomDoc)
	if digestOf(t, a) != digestOf(t, b) {
		t.Error("same inputs, different artifact digests")
	}
	checkArtifact(t, a, img)
}

func TestOCILayoutWithAttachment(t *testing.T) {
	img := testImage(t, randomLayers(t, 2)...)
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := OCILayout(dir).Publish(context.Background(), single(img, sbomDoc), tags(t, "app:1")); err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 2 {
		t.Fatalf("index.json lists %d manifests, want the image and its SBOM", len(im.Manifests))
	}
	d := im.Manifests[1]
	if d.ArtifactType != sbomDoc.ArtifactType {
		t.Errorf("index descriptor artifactType %q, want %q", d.ArtifactType, sbomDoc.ArtifactType)
	}
	art, err := idx.Image(d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	checkArtifact(t, art, img)
}

// TestRegistryWithAttachment pushes to ggcr's in-process registry, which
// serves the referrers API (the e2e tests use the distribution registry).
func TestRegistryWithAttachment(t *testing.T) {
	reg := newRegistry(t)
	img := testImage(t, randomLayers(t, 2)...)
	tt := tags(t, reg.host()+"/team/app:1")
	if _, err := Registry().Publish(context.Background(), single(img, sbomDoc), tt); err != nil {
		t.Fatal(err)
	}
	subject := tt[0].Context().Digest(digestOf(t, img))
	idx, err := remote.Referrers(subject)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 1 || im.Manifests[0].ArtifactType != sbomDoc.ArtifactType {
		t.Fatalf("referrers of %s: %+v", subject, im.Manifests)
	}
	art, err := remote.Image(tt[0].Context().Digest(im.Manifests[0].Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	checkArtifact(t, art, img)
}
