package publish

import (
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1/partial"

	"github.com/berth-dev/berth/internal/image"
)

// Report is what a build published, as --json prints it: everything CI
// needs to sign, attest or deploy it, and the error when the build failed.
type Report struct {
	Images []Entry `json:"images"`
	Error  string  `json:"error,omitempty"`
	// lines are the "<ref>@<digest>" lines, each once.
	lines []string
}

// Entry is one published reference, or one platform's image of an index.
type Entry struct {
	Ref    string `json:"ref,omitempty"` // as published: a tag, a layout directory or a tarball
	Digest string `json:"digest"`        // the image manifest's, or the index's
	// Output is the kind of output (oci-layout, docker-archive, daemon,
	// registry), Destination its directory or file.
	Output      string     `json:"output,omitempty"`
	Destination string     `json:"destination,omitempty"`
	Platform    string     `json:"platform,omitempty"`
	SBOM        *SBOMEntry `json:"sbom,omitempty"`
	// Provenance is the artifact of the image's (or the index's) SLSA
	// provenance statement.
	Provenance *SBOMEntry `json:"provenance,omitempty"`
	Manifests  []Entry    `json:"manifests,omitempty"` // an index's images, one per platform
	// Signatures are the Sigstore bundles pushed about this reference's
	// images and their documents (--sign).
	Signatures []SignatureEntry `json:"signatures,omitempty"`
}

// SignatureEntry is one pushed signature: of the image Subject, or of a
// document about it (an attestation), named by its in-toto predicate type.
type SignatureEntry struct {
	Subject       string `json:"subject"`
	PredicateType string `json:"predicateType"`
}

// SBOMEntry is the OCI artifact an image's SBOM (or provenance) became.
type SBOMEntry struct {
	Digest    string `json:"digest"` // the artifact's manifest
	MediaType string `json:"mediaType"`
}

// NewReport describes what was published of art (nil when the build
// failed before making it), and err when it failed.
func NewReport(art *image.Artifact, published []Published, err error) Report {
	r := Report{Images: []Entry{}}
	seen := map[string]bool{}
	for _, p := range published {
		if line := p.String(); !seen[line] {
			seen[line] = true
			r.lines = append(r.lines, line)
		}
		e, derr := describe(art, p)
		if derr != nil && err == nil {
			err = derr
		}
		r.Images = append(r.Images, e)
	}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

// Lines are the "<ref>@sha256:<digest>" lines, one per reference: an image
// written to a layout and a tarball under one tag is one line.
func (r Report) Lines() []string { return r.lines }

// describe is the entry of one published reference: the one image it
// holds, or the index with every platform's image.
func describe(art *image.Artifact, p Published) (Entry, error) {
	e := Entry{Ref: p.Ref, Digest: p.Digest.String(), Output: p.Output}
	for _, s := range p.Signatures {
		e.Signatures = append(e.Signatures, SignatureEntry{Subject: s.Subject.String(), PredicateType: s.PredicateType})
	}
	if p.Dest != "" {
		e.Destination = filepath.Clean(p.Dest)
	}
	if art != nil {
		art = art.Find(p.Digest) // the main artifact or a variant
	}
	if art == nil {
		return e, nil
	}
	if art.Index == nil || p.Platform != "" {
		img := art.Images[0]
		for _, i := range art.Images {
			if i.Platform.String() == p.Platform {
				img = i
			}
		}
		e.Platform = img.Platform.String()
		var err error
		e.SBOM, e.Provenance, err = attachmentsOf(img)
		return e, err
	}
	var err error
	if e.Provenance, err = artifactOf(art.Index, image.Attached(art.Attachments, image.KindProvenance)); err != nil {
		return e, err
	}
	for _, img := range art.Images {
		d, err := img.Image.Digest()
		if err != nil {
			return e, err
		}
		m := Entry{Digest: d.String(), Platform: img.Platform.String()}
		if m.SBOM, m.Provenance, err = attachmentsOf(img); err != nil {
			return e, err
		}
		e.Manifests = append(e.Manifests, m)
	}
	return e, nil
}

// attachmentsOf describes the artifacts an image's SBOM and provenance
// become; nil for each it does not have.
func attachmentsOf(img image.Platformed) (sbom, prov *SBOMEntry, err error) {
	if sbom, err = artifactOf(img.Image, image.Attached(img.Attachments, image.KindSBOM)); err != nil {
		return nil, nil, err
	}
	prov, err = artifactOf(img.Image, image.Attached(img.Attachments, image.KindProvenance))
	return sbom, prov, err
}

// artifactOf describes the artifact att becomes about subject; nil
// without att.
func artifactOf(subject partial.Describable, att *image.Attachment) (*SBOMEntry, error) {
	if att == nil {
		return nil, nil
	}
	ref, err := image.Referrer(subject, *att)
	if err != nil {
		return nil, err
	}
	d, err := ref.Digest()
	if err != nil {
		return nil, err
	}
	return &SBOMEntry{Digest: d.String(), MediaType: att.ArtifactType}, nil
}
