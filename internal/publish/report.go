package publish

import (
	"path/filepath"

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
	Manifests   []Entry    `json:"manifests,omitempty"` // an index's images, one per platform
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

// SBOMEntry is the OCI artifact an image's SBOM became.
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
		e.SBOM, err = sbomOf(img)
		return e, err
	}
	for _, img := range art.Images {
		d, err := img.Image.Digest()
		if err != nil {
			return e, err
		}
		m := Entry{Digest: d.String(), Platform: img.Platform.String()}
		if m.SBOM, err = sbomOf(img); err != nil {
			return e, err
		}
		e.Manifests = append(e.Manifests, m)
	}
	return e, nil
}

// sbomOf describes the artifact an image's SBOM becomes; nil without one.
func sbomOf(img image.Platformed) (*SBOMEntry, error) {
	if len(img.Attachments) == 0 {
		return nil, nil
	}
	att := img.Attachments[0]
	ref, err := image.Referrer(img.Image, att)
	if err != nil {
		return nil, err
	}
	d, err := ref.Digest()
	if err != nil {
		return nil, err
	}
	return &SBOMEntry{Digest: d.String(), MediaType: att.ArtifactType}, nil
}
