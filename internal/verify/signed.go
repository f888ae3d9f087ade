package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ctypes "github.com/sigstore/cosign/v3/pkg/types"

	"github.com/berth-dev/berth/internal/sign"
)

// SortKeys tells the --key files apart, as cosign's commands do by what
// they are: a public key (cosign.pub) checks the image's signatures, a
// private key (cosign.key) signs --attest's attestation; one of each at
// most.
func SortKeys(keys []string, o *Options) error {
	for _, k := range keys {
		public, err := sign.IsPublicKey(k)
		if err != nil {
			return cannot("--key %s: %v", k, err)
		}
		slot, role := &o.Key, "private key (it signs --attest's attestation)"
		if public {
			slot, role = &o.Trust.PublicKey, "public key (it checks the image's signatures)"
		}
		if *slot != "" {
			return cannot("--key %s: a second %s after %s; give one public and one private key at most", k, role, *slot)
		}
		*slot = k
	}
	return nil
}

// NotSigned is an image without the signature verify was told to require,
// or a provenance its signer did not sign: the image is not shown to be
// the signer's (exit 1, as a difference).
type NotSigned struct{ Err error }

func (e *NotSigned) Error() string { return e.Err.Error() }
func (e *NotSigned) Unwrap() error { return e.Err }

// signedStatement checks, before anything is rebuilt, that the image
// carries a signature of its own by the signer o.Trust names, and returns
// the provenance to follow: the one given with --provenance or, of those
// attached to the image, one the same signer attested. A signature is
// checked where berth puts it, in the registry the image was pushed to.
func signedStatement(ctx context.Context, o Options, s *subject) ([]byte, error) {
	if s.repo == "" {
		return nil, cannot("signatures are checked in a registry: berth signs what it pushes (build --sign --push), so verify the pushed image by its reference, or drop --key's public key and the --certificate-* flags")
	}
	repo, err := name.NewRepository(s.repo)
	if err != nil {
		return nil, cannot("%v", err)
	}
	d := repo.Digest(s.digest.String())
	signed, err := sign.Signed(ctx, d, o.Trust, remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return nil, &NotSigned{fmt.Errorf("%s is not signed as required: %w", o.Image, err)}
	}
	if !anyOfType(signed, ctypes.CosignSignPredicateType) {
		return nil, &NotSigned{fmt.Errorf("%s: its signer attested documents about it but did not sign the image itself (cosign sign)", o.Image)}
	}
	candidates := s.statements
	if o.Provenance != "" {
		candidates = [][]byte{s.statement}
	}
	for _, c := range candidates {
		for _, st := range signed {
			if sameJSON(c, st) {
				return c, nil
			}
		}
	}
	if o.Provenance != "" {
		return nil, &NotSigned{fmt.Errorf("the provenance in %s is not one the image's signer attested: it may have been changed, or be another build's", o.Provenance)}
	}
	return nil, &NotSigned{fmt.Errorf("%s is signed, but none of the %d provenance statements attached to it is one its signer attested", o.Image, len(candidates))}
}

// anyOfType reports whether one of the statements has predicate type pt.
func anyOfType(statements [][]byte, pt string) bool {
	for _, st := range statements {
		if got, err := sign.PredicateType(st); err == nil && got == pt {
			return true
		}
	}
	return false
}

// sameJSON reports whether a and b are the same JSON document (byte for
// byte, or the same values however they are spaced and ordered).
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
