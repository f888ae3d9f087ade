package sign

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// The identity the doubles certify, as Fulcio would from the token.
const (
	testIdentity = "builder@example.com"
	testIssuer   = "https://issuer.example.com"
)

// fakeFulcio is a CA double: it certifies the signer's public key for
// testIdentity with a root and an intermediate made by sigstore-go's test
// helpers, and records the OIDC tokens it was given.
type fakeFulcio struct {
	root, intermediate *x509.Certificate
	key                *ecdsa.PrivateKey
	tokens             []string
}

func newFakeFulcio(t *testing.T) *fakeFulcio {
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		t.Fatal(err)
	}
	inter, interKey, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeFulcio{root: rootCert, intermediate: inter, key: interKey}
}

func (f *fakeFulcio) GetCertificate(_ context.Context, kp sign.Keypair, o *sign.CertificateProviderOptions) ([]byte, error) {
	f.tokens = append(f.tokens, o.IDToken)
	cert, err := ca.GenerateLeafCert(testIdentity, testIssuer, time.Now().Add(-time.Minute), publicOnly{kp.GetPublicKey()}, f.intermediate, f.key)
	if err != nil {
		return nil, err
	}
	return cert.Raw, nil
}

// publicOnly hands the CA helper the public key it certifies; the
// certificate is signed with the intermediate's key, never with this one.
type publicOnly struct{ pub crypto.PublicKey }

func (p publicOnly) Public() crypto.PublicKey { return p.pub }
func (p publicOnly) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("the certified key's private half is not here")
}

// fakeRekor is a transparency log double: sigstore-go's virtual Sigstore
// makes the entry (a dsse entry with a signed entry timestamp) for the
// bundle's envelope and certificate.
type fakeRekor struct{ vs *ca.VirtualSigstore }

func (r fakeRekor) GetTransparencyLogEntry(_ context.Context, _ []byte, b *protobundle.Bundle) error {
	cert, err := x509.ParseCertificate(b.GetVerificationMaterial().GetCertificate().GetRawBytes())
	if err != nil {
		return err
	}
	env := b.GetDsseEnvelope()
	sig := env.GetSignatures()[0].GetSig()
	e := &dsse.Envelope{PayloadType: env.GetPayloadType(), Payload: base64.StdEncoding.EncodeToString(env.GetPayload()),
		Signatures: []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(sig)}}}
	entry, err := r.vs.GenerateTlogEntry(cert, e, sig, time.Now().Unix(), true)
	if err != nil {
		return err
	}
	// The entry's proto lacks its kind and the log's promise (the signed
	// entry timestamp), which the virtual log signs over the same payload
	// as GenerateTlogEntry does.
	tle := entry.TransparencyLogEntry()
	tle.KindVersion = &protorekor.KindVersion{Kind: "dsse", Version: "0.0.1"}
	set, err := r.vs.RekorSignPayload(tlog.RekorPayload{Body: base64.StdEncoding.EncodeToString(tle.CanonicalizedBody),
		IntegratedTime: tle.IntegratedTime, LogIndex: tle.LogIndex, LogID: hex.EncodeToString(tle.LogId.KeyId)})
	if err != nil {
		return err
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	b.VerificationMaterial.TlogEntries = append(b.VerificationMaterial.TlogEntries, tle)
	return nil
}

// doubles trusts the CA double and the log double.
type doubles struct {
	root.BaseTrustedMaterial
	fulcio *fakeFulcio
	rekor  *ca.VirtualSigstore
}

func (d *doubles) FulcioCertificateAuthorities() []root.CertificateAuthority {
	return []root.CertificateAuthority{&root.FulcioCertificateAuthority{Root: d.fulcio.root, Intermediates: []*x509.Certificate{d.fulcio.intermediate}}}
}
func (d *doubles) RekorLogs() map[string]*root.TransparencyLog { return d.rekor.RekorLogs() }

// TestKeyless: without --key, berth signs with an ephemeral key certified
// for the OIDC token of SIGSTORE_ID_TOKEN and logs the signature; the
// bundle verifies (certificate chain, identity and issuer, log entry with
// its inclusion proof and signed timestamp) with sigstore-go's verifier against the doubles,
// and not for another identity. The public Fulcio and Rekor are not
// reached: their HTTP clients are sigstore-go's, not exercised here.
func TestKeyless(t *testing.T) {
	t.Setenv("SIGSTORE_ID_TOKEN", "test-token")
	fulcio := newFakeFulcio(t)
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), Options{Certificates: fulcio, Log: fakeRekor{vs}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := signatureStatement("ab")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.Bundle(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if len(fulcio.tokens) != 1 || fulcio.tokens[0] != "test-token" {
		t.Errorf("the CA got tokens %q, want the one of SIGSTORE_ID_TOKEN", fulcio.tokens)
	}
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	v, err := verify.NewVerifier(&doubles{fulcio: fulcio, rekor: vs}, verify.WithTransparencyLog(1), verify.WithIntegratedTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		identity string
		ok       bool
	}{{testIdentity, true}, {"someone-else@example.com", false}} {
		id, err := verify.NewShortCertificateIdentity(testIssuer, "", tc.identity, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(&b, verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithCertificateIdentity(id)))
		if (err == nil) != tc.ok {
			t.Errorf("verify for %s: %v, want success %v", tc.identity, err, tc.ok)
		}
	}
}
