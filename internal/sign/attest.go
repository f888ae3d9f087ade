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
	"github.com/sigstore/sigstore/pkg/signature"

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

// PredicateType is the predicate type of an in-toto statement.
func PredicateType(statement []byte) (string, error) {
	var st struct {
		PredicateType string `json:"predicateType"`
	}
	err := json.Unmarshal(statement, &st)
	return st.PredicateType, err
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
		pt, err := PredicateType(a.Data)
		if err != nil || pt == "" {
			return nil, "", fmt.Errorf("the attached in-toto statement has no predicate type (%v)", err)
		}
		return a.Data, pt, nil
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

// Plan is what signing an artifact in a repository takes: each signature
// (about the index, each platform's image, and the documents attached to
// each) and whether the repository already holds it, made by this
// signer's key.
type Plan struct {
	repo name.Repository
	jobs []job
	held []bool
}

// job is one signature to make: statement, of predicateType, about subject.
type job struct {
	subject       v1.Hash
	statement     []byte
	predicateType string
}

// Repository is the name of the repository p signs in.
func (p *Plan) Repository() string { return p.repo.Name() }

// Complete reports whether the repository holds every signature already.
func (p *Plan) Complete() bool {
	for _, h := range p.held {
		if !h {
			return false
		}
	}
	return true
}

// Plan lists the signatures art needs in repo: the index's and each
// image's (cosign's sign predicate), and an attestation of each document
// attached to them (the SBOMs and provenance; a debug file is published,
// not attested). A signature counts as held when the repository has a
// bundle with the same statement about the same subject that the key
// verifies, as cosign's verifier checks it; the key's public half is known
// from an earlier decryption (keyCache) or this one, and without it
// nothing counts as held. Statements carry no time, so pushing the same
// image again needs no new signature, and no decrypted key.
func (s *Signer) Plan(ctx context.Context, art *image.Artifact, repo name.Repository, ro ...remote.Option) (*Plan, error) {
	p := &Plan{repo: repo}
	subjects, err := imageDigests(art)
	if err != nil {
		return nil, err
	}
	for _, h := range subjects {
		st, err := signatureStatement(h.Hex)
		if err != nil {
			return nil, err
		}
		p.jobs = append(p.jobs, job{h, st, ctypes.CosignSignPredicateType})
	}
	for _, about := range attested(art) {
		h, err := about.subject.Digest()
		if err != nil {
			return nil, err
		}
		for _, a := range about.atts {
			if !Attestable(a) {
				continue // a debug file is published, not attested
			}
			st, pt, err := Statement(repo.Digest(h.String()), a)
			if err != nil {
				return nil, err
			}
			p.jobs = append(p.jobs, job{h, st, pt})
		}
	}
	p.held = make([]bool, len(p.jobs))
	if v := s.verifier(); v != nil {
		s.findHeld(ctx, p, v, ro)
	}
	return p, nil
}

// verifier checks signatures by this signer's key: its public half once
// decrypted, else the one remembered; nil for keyless signing (each
// signature has its own certificate) or a key not known yet.
func (s *Signer) verifier() signature.Verifier {
	if s.keyless {
		return nil
	}
	select {
	case <-s.ready:
		if s.loadErr == nil {
			if v, err := signature.LoadDefaultVerifier(s.keypair.GetPublicKey()); err == nil {
				return v
			}
		}
	default:
	}
	return s.known
}

// findHeld marks the jobs whose signature the repository holds. A subject
// the registry cannot answer for (an image not pushed yet) holds none.
func (s *Signer) findHeld(ctx context.Context, p *Plan, v signature.Verifier, ro []remote.Option) {
	signed := map[v1.Hash][][]byte{}
	for i, j := range p.jobs {
		sts, ok := signed[j.subject]
		if !ok {
			sts, _ = Signed(ctx, p.repo.Digest(j.subject.String()), Trust{verifier: v}, ro...)
			signed[j.subject] = sts
		}
		for _, st := range sts {
			if bytes.Equal(st, j.statement) {
				p.held[i] = true
				break
			}
		}
	}
}

// Sign makes the signatures p lacks and pushes them to p's repository as
// cosign v3 does (a Sigstore bundle as an OCI 1.1 referrer of its subject;
// the referrers tag where the registry has no referrers API), and returns
// every signature of p (made now or held already) and how many were made.
// The key is waited for only when one is to be made.
func (s *Signer) Sign(ctx context.Context, p *Plan, ro ...remote.Option) ([]Signature, int, error) {
	var out []Signature
	made := 0
	for i, j := range p.jobs {
		if !p.held[i] {
			if err := s.Attach(ctx, p.repo.Digest(j.subject.String()), j.statement, j.predicateType, ro...); err != nil {
				return out, made, err
			}
			made++
		}
		out = append(out, Signature{Subject: j.subject, PredicateType: j.predicateType})
	}
	return out, made, nil
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
