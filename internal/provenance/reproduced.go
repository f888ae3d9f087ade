package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	intoto "github.com/in-toto/attestation/go/v1"
)

// ReproducedType is the predicate type of the statement `cargo berth verify
// --attest` signs: the image was built again from its provenance and gave
// the same digest (docs/provenance.md, "Reproduced v1").
const ReproducedType = "https://github.com/berth-dev/berth/blob/main/docs/provenance.md#reproduced-v1"

// Reproduction is what a verifier attests about an image it rebuilt.
type Reproduction struct {
	Subject      string // the image's digest, "sha256:<hex>"
	Provenance   []byte // the provenance statement the rebuild followed
	Source       Source // its recorded commit
	Rebuilt      string // the rebuild's digest of the same image
	BerthVersion string // the verifier's
}

// reproduced is the predicate, as JSON.
type reproduced struct {
	Verifier   verifier          `json:"verifier"`
	Provenance map[string]string `json:"provenance"`
	Source     sourceRef         `json:"source"`
	Rebuilt    map[string]string `json:"rebuilt"`
}

type verifier struct {
	ID      string            `json:"id"`
	Version map[string]string `json:"version"`
}

type sourceRef struct {
	URI    string            `json:"uri,omitempty"`
	Digest map[string]string `json:"digest"`
}

// Reproduced renders r as an in-toto Statement v1 about r.Subject. It holds
// no time: the same image, provenance and verifier give the same bytes
// (the signature's bundle and its log entry say when it was signed).
func Reproduced(r Reproduction) ([]byte, error) {
	subject, err := digestMap(r.Subject)
	if err != nil {
		return nil, fmt.Errorf("reproduced statement subject: %w", err)
	}
	rebuilt, err := digestMap(r.Rebuilt)
	if err != nil {
		return nil, fmt.Errorf("reproduced statement rebuilt digest: %w", err)
	}
	sum := sha256.Sum256(r.Provenance)
	pred, err := toStruct(reproduced{
		Verifier:   verifier{ID: BuilderID, Version: map[string]string{"cargo-berth": r.BerthVersion}},
		Provenance: map[string]string{"sha256": hex.EncodeToString(sum[:])},
		Source:     sourceRef{URI: r.Source.URL, Digest: map[string]string{"gitCommit": r.Source.Commit}},
		Rebuilt:    rebuilt,
	})
	if err != nil {
		return nil, fmt.Errorf("reproduced predicate: %w", err)
	}
	st := &intoto.Statement{
		Type: intoto.StatementTypeUri, PredicateType: ReproducedType, Predicate: pred,
		Subject: []*intoto.ResourceDescriptor{{Digest: subject}},
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("reproduced statement: %w", err)
	}
	return canonical(st)
}

// digestMap is "alg:hex" as an in-toto digest set.
func digestMap(d string) (map[string]string, error) {
	alg, h, ok := strings.Cut(d, ":")
	if !ok || h == "" {
		return nil, fmt.Errorf("digest %q is not ALG:HEX", d)
	}
	return map[string]string{alg: strings.ToLower(h)}, nil
}
