package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sigstore/cosign/v3/pkg/cosign"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// WriteCosignKey writes a cosign key pair encrypted with password into dir,
// as `cosign generate-key-pair` does (cosign.key, cosign.pub), and returns
// the private key's path and the public key (PEM).
func WriteCosignKey(dir, password string) (string, []byte, error) {
	k, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(password), nil })
	if err != nil {
		return "", nil, fmt.Errorf("making a cosign key pair: %w", err)
	}
	path := filepath.Join(dir, "cosign.key")
	if err := os.WriteFile(path, k.PrivateBytes, 0o600); err != nil {
		return "", nil, err
	}
	return path, k.PublicBytes, os.WriteFile(filepath.Join(dir, "cosign.pub"), k.PublicBytes, 0o644)
}

// VerifyBundleWithKey checks a Sigstore bundle (JSON) with sigstore-go's
// verifier against the PEM public key pub, without a transparency log (as
// `cosign verify --insecure-ignore-tlog`), and returns the signed payload
// (the in-toto statement).
func VerifyBundleWithKey(bundle, pub []byte) ([]byte, error) {
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(bundle); err != nil {
		return nil, fmt.Errorf("not a Sigstore bundle: %w", err)
	}
	pk, err := cryptoutils.UnmarshalPEMToPublicKey(pub)
	if err != nil {
		return nil, err
	}
	v, err := signature.LoadDefaultVerifier(pk)
	if err != nil {
		return nil, err
	}
	tm := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return root.NewExpiringKey(v, time.Time{}, time.Time{}), nil
	})
	verifier, err := verify.NewVerifier(tm, verify.WithNoObserverTimestamps())
	if err != nil {
		return nil, err
	}
	if _, err := verifier.Verify(&b, verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithKey())); err != nil {
		return nil, err
	}
	return b.GetDsseEnvelope().Payload, nil
}
