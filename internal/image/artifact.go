package image

import (
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Artifact is what one build makes: one image, or an index of one image per
// platform, each image with the documents about it (its SBOM). Every sink
// takes an Artifact and decides what an index means for it.
type Artifact struct {
	// Images are the built images, in the order of the platforms asked
	// for; exactly one for a one-platform build.
	Images []Platformed
	// Index names the images when there are several; nil for one image,
	// which is then published as it is.
	Index v1.ImageIndex
	// Attachments are the documents about the index (its provenance);
	// none without an index.
	Attachments []Attachment
	// Variants are other artifacts of the same build (the debug variant),
	// published beside this one under its tags with their suffix. The
	// artifact itself does not depend on them.
	Variants []Variant
}

// Variant is an artifact published under each tag of the main one with
// Suffix appended (api:1.2 and api:1.2-debug).
type Variant struct {
	Suffix   string
	Artifact *Artifact
}

// AddVariant adds the variant of images (one per platform, in the main
// artifact's order) under suffix.
func (a *Artifact) AddVariant(suffix string, images []Platformed) error {
	if len(images) != len(a.Images) {
		return fmt.Errorf("the %s variant has %d images for %d platforms", suffix, len(images), len(a.Images))
	}
	v, err := NewArtifact(images)
	if err != nil {
		return err
	}
	a.Variants = append(a.Variants, Variant{Suffix: suffix, Artifact: v})
	return nil
}

// Find is the artifact, this one or a variant, whose digest is d; nil for
// none.
func (a *Artifact) Find(d v1.Hash) *Artifact {
	if got, err := a.Digest(); err == nil && got == d {
		return a
	}
	for _, v := range a.Variants {
		if got := v.Artifact.Find(d); got != nil {
			return got
		}
	}
	return nil
}

// Platformed is one platform's image and the documents attached to it.
type Platformed struct {
	Image       v1.Image
	Platform    v1.Platform
	Attachments []Attachment
}

// Attachment is a document about an image (its SBOM), published with it as
// an OCI 1.1 artifact whose subject is the image.
type Attachment struct {
	Kind         string // what the document is: KindSBOM or KindProvenance
	ArtifactType string // the document's media type, e.g. application/spdx+json
	Data         []byte
	Created      time.Time // annotation org.opencontainers.image.created
	// Annotations are added to the artifact manifest's (the debug file's
	// build-id).
	Annotations map[string]string
}

// Kinds of attachment.
const (
	KindSBOM       = "sbom"
	KindProvenance = "provenance"
)

// Attached is the attachment of kind among atts; nil without one.
func Attached(atts []Attachment, kind string) *Attachment {
	for i := range atts {
		if atts[i].Kind == kind {
			return &atts[i]
		}
	}
	return nil
}

// DebugInfoType is the artifact type of a binary's debug file (an ELF file
// holding only its debug sections), attached to the image it was split
// from.
const DebugInfoType = "application/vnd.berth.debuginfo.v1+elf"

// BuildIDAnnotation carries a debug file's GNU build-id, in hex.
const BuildIDAnnotation = "dev.berth.debuginfo.build-id"

// NewArtifact wraps the images of one build: an index when there are
// several.
func NewArtifact(images []Platformed) (*Artifact, error) {
	switch len(images) {
	case 0:
		return nil, fmt.Errorf("a build made no image")
	case 1:
		return &Artifact{Images: images}, nil
	}
	ms := make([]Manifest, 0, len(images))
	for _, p := range images {
		ms = append(ms, Manifest{Image: p.Image, Platform: p.Platform})
	}
	idx, err := Index(ms)
	if err != nil {
		return nil, err
	}
	return &Artifact{Images: images, Index: idx}, nil
}

// Digest is the digest a reference to the artifact resolves to: the
// index's, or the one image's.
func (a *Artifact) Digest() (v1.Hash, error) {
	if a.Index != nil {
		return a.Index.Digest()
	}
	return a.Images[0].Image.Digest()
}

// For is the image of platform p, for sinks that hold one image (the
// Docker daemon, a docker-archive); the one image when there is one.
func (a *Artifact) For(p v1.Platform) (Platformed, error) {
	if len(a.Images) == 1 {
		return a.Images[0], nil
	}
	var have []string
	for _, img := range a.Images {
		if img.Platform.String() == p.String() {
			return img, nil
		}
		have = append(have, img.Platform.String())
	}
	return Platformed{}, fmt.Errorf("the build has no %s image (it has %v)", p, have)
}
