package sign

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/in-toto/in-toto-golang/in_toto"
	"github.com/sigstore/cosign/v3/pkg/cosign/attestation"
	ociremote "github.com/sigstore/cosign/v3/pkg/oci/remote"
	ctypes "github.com/sigstore/cosign/v3/pkg/types"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"

	"github.com/berth-dev/berth/internal/image"
)

// StatementType is the artifact type of an attachment that is already an
// in-toto statement about its image (provenance): it is signed as it is.
const StatementType = "application/vnd.in-toto+json"

// predicates maps an attachment's artifact type to the name `cosign attest
// --type` and `cosign verify-attestation --type` give its predicate, and
// the in-toto predicate type that name stands for (in-toto's constants, as
// cosign's own table uses them).
var predicates = map[string]struct{ cosignType, uri string }{
	"application/spdx+json":          {"spdxjson", in_toto.PredicateSPDX},
	"application/vnd.cyclonedx+json": {"cyclonedx", in_toto.PredicateCycloneDX},
}

// Signature is one signature berth pushed: about the image Subject, of an
// image (PredicateType cosign's sign predicate) or a document about it.
type Signature struct {
	Subject       v1.Hash
	PredicateType string
}

// Statement is the in-toto statement that attests a with subject as its
// subject, and the statement's predicate type: the attachment made a
// predicate the way `cosign attest --type` makes it, or the attachment
// itself when it is a statement.
func Statement(subject name.Digest, a image.Attachment) ([]byte, string, error) {
	h, err := v1.NewHash(subject.DigestStr())
	if err != nil {
		return nil, "", err
	}
	if a.ArtifactType == StatementType {
		var st struct {
			PredicateType string `json:"predicateType"`
		}
		if err := json.Unmarshal(a.Data, &st); err != nil || st.PredicateType == "" {
			return nil, "", fmt.Errorf("the attached in-toto statement has no predicate type (%v)", err)
		}
		return a.Data, st.PredicateType, nil
	}
	p, ok := predicates[a.ArtifactType]
	if !ok {
		return nil, "", fmt.Errorf("berth cannot attest a %s document: it attests SPDX and CycloneDX JSON and in-toto statements", a.ArtifactType)
	}
	st, err := attestation.GenerateStatement(attestation.GenerateOpts{
		Predicate: bytes.NewReader(a.Data), Type: p.cosignType, Digest: h.Hex, Repo: subject.Context().String(),
	})
	if err != nil {
		return nil, "", fmt.Errorf("making the %s statement: %w", p.cosignType, err)
	}
	b, err := json.Marshal(st)
	return b, p.uri, err
}

// Publish signs the artifact pushed to repo and pushes the signatures
// there as cosign v3 does (a Sigstore bundle as an OCI 1.1 referrer of its
// subject; the referrers tag where the registry has no referrers API):
// the index, each platform's image, and the documents attached to each
// (the SBOMs and provenance; a debug file is published, not attested).
func (s *Signer) Publish(ctx context.Context, art *image.Artifact, repo name.Repository, ro ...remote.Option) ([]Signature, error) {
	if err := s.Ready(ctx); err != nil {
		return nil, err
	}
	var out []Signature
	push := func(subject v1.Hash, statement []byte, predicateType string) error {
		if err := s.Attach(ctx, repo.Digest(subject.String()), statement, predicateType, ro...); err != nil {
			return err
		}
		out = append(out, Signature{Subject: subject, PredicateType: predicateType})
		return nil
	}
	subjects, err := imageDigests(art)
	if err != nil {
		return nil, err
	}
	for _, h := range subjects {
		st, err := signatureStatement(h.Hex)
		if err == nil {
			err = push(h, st, ctypes.CosignSignPredicateType)
		}
		if err != nil {
			return out, err
		}
	}
	for _, about := range attested(art) {
		h, err := about.subject.Digest()
		if err != nil {
			return out, err
		}
		for _, a := range about.atts {
			if !Attestable(a) {
				continue // a debug file is published, not attested
			}
			st, pt, err := Statement(repo.Digest(h.String()), a)
			if err == nil {
				err = push(h, st, pt)
			}
			if err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// Attach signs statement (an in-toto statement about d, of predicateType)
// and pushes the bundle to d's repository as cosign v3 does: an OCI 1.1
// referrer of d, or the referrers tag where the registry has no referrers
// API.
func (s *Signer) Attach(ctx context.Context, d name.Digest, statement []byte, predicateType string, ro ...remote.Option) error {
	b, err := s.Bundle(ctx, statement)
	if err != nil {
		return fmt.Errorf("signing %s (%s): %w", d.Name(), predicateType, err)
	}
	return PushBundle(ctx, d, b, predicateType, ro...)
}

// PushBundle pushes a Sigstore bundle about d (of a statement of
// predicateType) to d's repository, as cosign v3 does.
func PushBundle(ctx context.Context, d name.Digest, bundle []byte, predicateType string, ro ...remote.Option) error {
	if err := ociremote.WriteAttestationNewBundleFormat(d, bundle, predicateType, ociremote.WithRemoteOptions(append(ro, remote.WithContext(ctx))...)); err != nil {
		return fmt.Errorf("pushing the signature of %s (%s): %w", d.Name(), predicateType, err)
	}
	return nil
}

// BundleAttachment is a Sigstore bundle (of a statement of predicateType)
// as the document of an OCI 1.1 artifact, typed and annotated as cosign v3
// writes it to a registry, for the places cosign does not write (an OCI
// layout).
func BundleAttachment(bundle []byte, predicateType string, created time.Time) (image.Attachment, error) {
	mt, err := sgbundle.MediaTypeString("0.3")
	if err != nil {
		return image.Attachment{}, err
	}
	return image.Attachment{ArtifactType: mt, Data: bundle, Created: created, Annotations: map[string]string{
		"dev.sigstore.bundle.content": "dsse-envelope", ociremote.BundlePredicateType: predicateType,
	}}, nil
}

// aboutOne is a subject and the documents attached to it.
type aboutOne struct {
	subject interface{ Digest() (v1.Hash, error) }
	atts    []image.Attachment
}

// attested are the index with its attachments (its provenance), then each
// image with its own.
func attested(art *image.Artifact) []aboutOne {
	var out []aboutOne
	if art.Index != nil {
		out = append(out, aboutOne{art.Index, art.Attachments})
	}
	for _, img := range art.Images {
		out = append(out, aboutOne{img.Image, img.Attachments})
	}
	return out
}

// Attestable reports whether berth attests a: a document whose in-toto
// predicate type it knows (SPDX, CycloneDX) or an in-toto statement.
func Attestable(a image.Attachment) bool {
	_, known := predicates[a.ArtifactType]
	return known || a.ArtifactType == StatementType
}

// imageDigests are the index's digest (when there is one) and each image's.
func imageDigests(art *image.Artifact) ([]v1.Hash, error) {
	var out []v1.Hash
	if art.Index != nil {
		h, err := art.Index.Digest()
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	for _, img := range art.Images {
		h, err := img.Image.Digest()
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
