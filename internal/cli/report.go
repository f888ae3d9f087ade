package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
)

// buildReport is what --json prints: everything CI needs to sign, attest
// or deploy what was published.
type buildReport struct {
	Images []imageReport `json:"images"`
}

type imageReport struct {
	Ref      string      `json:"ref"`    // as published: a tag, a layout directory or a tarball
	Digest   string      `json:"digest"` // the image manifest's, or the index's
	Platform string      `json:"platform,omitempty"`
	SBOM     *sbomReport `json:"sbom,omitempty"`
	// Manifests are an index's images, one per platform.
	Manifests []imageReport `json:"manifests,omitempty"`
}

type sbomReport struct {
	Digest    string `json:"digest"` // the OCI artifact's manifest
	MediaType string `json:"mediaType"`
}

// report prints the published references on stdout: one
// "<ref>@sha256:<digest>" line each, or with --json one JSON document.
func (o *buildOptions) report(s *streams, res *pipeline.Result, lines []string, att *publish.Attachment) error {
	if !o.json {
		printLines(s, lines)
		return nil
	}
	var sb *sbomReport
	if att != nil {
		var err error
		if sb, err = sbomOf(res, *att); err != nil {
			return err
		}
	}
	rep := buildReport{Images: []imageReport{}}
	for _, l := range lines {
		ref, digest := splitRef(l)
		rep.Images = append(rep.Images, imageReport{Ref: ref, Digest: digest, Platform: res.Platform.String(), SBOM: sb})
	}
	return printJSON(s, rep)
}

// sbomOf describes the artifact att becomes for res's image.
func sbomOf(res *pipeline.Result, att publish.Attachment) (*sbomReport, error) {
	art, err := publish.Artifact(res.Image, att)
	if err != nil {
		return nil, err
	}
	d, err := art.Digest()
	if err != nil {
		return nil, err
	}
	return &sbomReport{Digest: d.String(), MediaType: att.ArtifactType}, nil
}

// splitRef splits a "<ref>@<digest>" line at its last "@".
func splitRef(l string) (string, string) {
	if i := strings.LastIndex(l, "@"); i >= 0 {
		return l[:i], l[i+1:]
	}
	return l, ""
}

func printJSON(s *streams, v any) error {
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(s.Out, string(out))
	return nil
}

// reportIndex prints what a multi-platform build published: its lines, or
// with --json each ref with the index digest and every platform's image
// digest and SBOM artifact digest.
func (o *buildOptions) reportIndex(s *streams, results []*pipeline.Result, lines []string, atts []publish.Attachment) error {
	if !o.json {
		printLines(s, lines)
		return nil
	}
	var manifests []imageReport
	for i, r := range results {
		d, err := r.Image.Digest()
		if err != nil {
			return err
		}
		m := imageReport{Digest: d.String(), Platform: r.Platform.String()}
		if i < len(atts) {
			if m.SBOM, err = sbomOf(r, atts[i]); err != nil {
				return err
			}
		}
		manifests = append(manifests, m)
	}
	rep := buildReport{Images: []imageReport{}}
	for _, l := range lines {
		ref, digest := splitRef(l)
		rep.Images = append(rep.Images, imageReport{Ref: ref, Digest: digest, Manifests: manifests})
	}
	return printJSON(s, rep)
}
