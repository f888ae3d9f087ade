package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/internal/build"
	"github.com/berth-dev/berth/internal/publish"
)

// buildReport is what --json prints: everything CI needs to sign, attest
// or deploy what was published.
type buildReport struct {
	Images []imageReport `json:"images"`
}

type imageReport struct {
	Ref      string      `json:"ref"`    // as published: a tag, a layout directory or a tarball
	Digest   string      `json:"digest"` // the image manifest's
	Platform string      `json:"platform"`
	SBOM     *sbomReport `json:"sbom,omitempty"`
}

type sbomReport struct {
	Digest    string `json:"digest"` // the OCI artifact's manifest
	MediaType string `json:"mediaType"`
}

// report prints the published references on stdout: one
// "<ref>@sha256:<digest>" line each, or with --json one JSON document.
func (o *buildOptions) report(s *streams, res *build.Result, lines []string, att *publish.Attachment) error {
	if !o.json {
		for _, l := range lines {
			fmt.Fprintln(s.Out, l)
		}
		return nil
	}
	var sb *sbomReport
	if att != nil {
		art, err := publish.Artifact(res.Image, *att)
		if err != nil {
			return err
		}
		d, err := art.Digest()
		if err != nil {
			return err
		}
		sb = &sbomReport{Digest: d.String(), MediaType: att.ArtifactType}
	}
	rep := buildReport{Images: []imageReport{}}
	for _, l := range lines {
		ref, digest := l, ""
		if i := strings.LastIndex(l, "@"); i >= 0 {
			ref, digest = l[:i], l[i+1:]
		}
		rep.Images = append(rep.Images, imageReport{Ref: ref, Digest: digest, Platform: res.Platform.String(), SBOM: sb})
	}
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(s.Out, string(out))
	return nil
}
