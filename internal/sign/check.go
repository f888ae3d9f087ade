package sign

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/cosign/v3/pkg/cosign"
	ociremote "github.com/sigstore/cosign/v3/pkg/oci/remote"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Trust says whose signatures count when an image's signatures are
// checked: the holder of a cosign key pair (its public key), or a keyless
// identity (a certificate from a CA of the trusted root, for an identity
// and issuer, its signature in a transparency log), as `cosign verify`'s
// --key and --certificate-identity/--certificate-oidc-issuer say.
type Trust struct {
	// PublicKey is a PEM public key file (cosign.pub).
	PublicKey string
	// Identity or IdentityRegexp, and Issuer or IssuerRegexp, are the
	// keyless signer's certificate identity and OIDC issuer.
	Identity, IdentityRegexp string
	Issuer, IssuerRegexp     string
	// TrustedRoot is a Sigstore trusted_root.json naming the CAs and logs
	// keyless signatures are checked against; "" is the public Sigstore
	// instance's, fetched through its TUF repository.
	TrustedRoot string
	// IgnoreSCT does not require the keyless certificate's proof that
	// Fulcio logged it (as cosign's --insecure-ignore-sct).
	IgnoreSCT bool
	// Material replaces TrustedRoot (tests give doubles).
	Material root.TrustedMaterial
	// verifier is the public key, loaded (from PublicKey, or a signer's
	// own).
	verifier signature.Verifier
}

// Set reports whether signatures are to be checked.
func (t Trust) Set() bool {
	return t.PublicKey != "" || t.keyless()
}

func (t Trust) keyless() bool {
	return t.Identity != "" || t.IdentityRegexp != "" || t.Issuer != "" || t.IssuerRegexp != ""
}

// Load reads and checks what t names, once: the public key file (a PEM
// public key) or, for a keyless identity, both its halves and the trusted
// root. The Trust it returns carries them, so that Signed reads nothing
// again (the public Sigstore's root is fetched through TUF).
func (t Trust) Load() (Trust, error) {
	switch {
	case t.verifier != nil:
		return t, nil
	case t.PublicKey != "" && t.keyless():
		return t, errors.New("check signatures either with a public key (--key cosign.pub) or a keyless identity (--certificate-identity and --certificate-oidc-issuer), not both")
	case t.PublicKey != "":
		data, err := os.ReadFile(t.PublicKey)
		if err != nil {
			return t, fmt.Errorf("reading the public key: %w", err)
		}
		if b, _ := pem.Decode(data); b == nil || b.Type != "PUBLIC KEY" {
			return t, fmt.Errorf("%s is not a PEM public key (cosign generate-key-pair writes one, cosign.pub)", t.PublicKey)
		}
		pub, err := cryptoutils.UnmarshalPEMToPublicKey(data)
		if err == nil {
			t.verifier, err = signature.LoadDefaultVerifier(pub)
		}
		if err != nil {
			return t, fmt.Errorf("loading the public key %s: %w", t.PublicKey, err)
		}
		return t, nil
	}
	if (t.Identity == "") == (t.IdentityRegexp == "") || (t.Issuer == "") == (t.IssuerRegexp == "") {
		return t, errors.New("a keyless signature is checked for an identity and an issuer: give one of --certificate-identity and --certificate-identity-regexp, and one of --certificate-oidc-issuer and --certificate-oidc-issuer-regexp")
	}
	if t.Material == nil {
		var err error
		if t.Material, err = trustedRoot(t.TrustedRoot); err != nil {
			return t, err
		}
	}
	return t, nil
}

// checkOpts are cosign's options for a loaded t.
func (t Trust) checkOpts() *cosign.CheckOpts {
	co := &cosign.CheckOpts{NewBundleFormat: true}
	if t.verifier != nil {
		co.SigVerifier = t.verifier
		// berth signs with a key without a transparency log entry, as
		// `cosign sign --key --tlog-upload=false`: the signature over the
		// statement is what is checked (cosign verify --insecure-ignore-tlog).
		co.IgnoreTlog = true
		return co
	}
	co.Identities = []cosign.Identity{{Subject: t.Identity, SubjectRegExp: t.IdentityRegexp, Issuer: t.Issuer, IssuerRegExp: t.IssuerRegexp}}
	co.IgnoreSCT = t.IgnoreSCT
	co.TrustedMaterial = t.Material
	return co
}

// trustedRoot is the trusted root in file, or the public Sigstore's.
func trustedRoot(file string) (root.TrustedMaterial, error) {
	if file == "" {
		tr, err := cosign.TrustedRoot()
		if err != nil {
			return nil, fmt.Errorf("fetching Sigstore's trusted root (give one with --trusted-root FILE where it cannot be reached): %w", err)
		}
		return tr, nil
	}
	tr, err := root.NewTrustedRootFromPath(file)
	if err != nil {
		return nil, fmt.Errorf("reading the trusted root %s: %w", file, err)
	}
	return tr, nil
}

// IsPublicKey says whether file holds a PEM public key (cosign.pub) or a
// private key (cosign.key), for a --key that may be either.
func IsPublicKey(file string) (bool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return false, fmt.Errorf("reading the key: %w", err)
	}
	b, _ := pem.Decode(data)
	switch {
	case b == nil:
		return false, fmt.Errorf("%s is not a PEM key: give a cosign key pair's public key (cosign.pub) or private key (cosign.key)", file)
	case b.Type == "PUBLIC KEY":
		return true, nil
	case strings.HasSuffix(b.Type, "PRIVATE KEY"):
		return false, nil
	}
	return false, fmt.Errorf("%s holds a PEM %q, not a key: give a cosign key pair's public key (cosign.pub) or private key (cosign.key)", file, b.Type)
}

// Signed are the in-toto statements about d, signed as t says, that d's
// registry holds as cosign v3 attaches them (Sigstore bundles as OCI 1.1
// referrers of d, or under the referrers tag): each one's signature,
// signer and subject (d's digest) checked by cosign's verifier. An error
// says why none is (none signed, or signed by another key or identity).
func Signed(ctx context.Context, d name.Digest, t Trust, ro ...remote.Option) ([][]byte, error) {
	t, err := t.Load()
	if err != nil {
		return nil, err
	}
	co := t.checkOpts()
	co.RegistryClientOpts = []ociremote.Option{ociremote.WithRemoteOptions(append(ro, remote.WithContext(ctx))...)}
	checked, _, err := cosign.VerifyImageAttestations(ctx, d, co)
	if err != nil {
		return nil, fmt.Errorf("no signature of %s that %s: %w", d.DigestStr(), t.who(), err)
	}
	var out [][]byte
	for _, c := range checked {
		raw, err := c.Payload()
		if err != nil {
			return nil, err
		}
		var env struct {
			Payload []byte `json:"payload"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			return nil, fmt.Errorf("reading a checked signature's envelope: %w", err)
		}
		out = append(out, env.Payload)
	}
	return out, nil
}

// who says whose signature was looked for.
func (t Trust) who() string {
	if t.PublicKey != "" {
		return "the public key " + t.PublicKey + " verifies"
	}
	if t.verifier != nil {
		return "the signing key verifies"
	}
	id, issuer := t.Identity, t.Issuer
	if id == "" {
		id = "~" + t.IdentityRegexp
	}
	if issuer == "" {
		issuer = "~" + t.IssuerRegexp
	}
	return fmt.Sprintf("certifies %s (issuer %s)", id, issuer)
}
