package sign

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"time"

	intotov1 "github.com/in-toto/attestation/go/v1"
	"github.com/sigstore/cosign/v3/pkg/cosign"
	"github.com/sigstore/cosign/v3/pkg/providers"
	_ "github.com/sigstore/cosign/v3/pkg/providers/envvar" // SIGSTORE_ID_TOKEN
	_ "github.com/sigstore/cosign/v3/pkg/providers/github" // GitHub Actions' id-token
	ctypes "github.com/sigstore/cosign/v3/pkg/types"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// The public Sigstore instances keyless signing uses.
const (
	PublicFulcio = "https://fulcio.sigstore.dev"
	PublicRekor  = "https://rekor.sigstore.dev"
)

// Options say how to sign: with a cosign key pair's private key, or
// keyless (a short-lived Fulcio certificate for the OIDC identity of the
// environment, the signature recorded in Rekor).
type Options struct {
	// Key is a cosign private key file (cosign generate-key-pair); its
	// password comes from COSIGN_PASSWORD. "" signs keyless.
	Key string
	// Getenv reads COSIGN_PASSWORD; nil is os.Getenv.
	Getenv func(string) string
	// Certificates and Log are the CA and transparency log of keyless
	// signing; nil means the public Fulcio and Rekor. Tests give doubles.
	Certificates sign.CertificateProvider
	Log          sign.Transparency
	// KeyCache is berth's cache directory, where the public half of a
	// decrypted key is kept (keyCache); "" keeps none.
	KeyCache string
}

// Signer makes Sigstore bundles (a DSSE envelope around an in-toto
// statement, with its verification material), as `cosign sign` and `cosign
// attest` v3 make them.
type Signer struct {
	keypair sign.Keypair
	keyless bool
	opts    Options
	// ready is closed when the key is loaded (keypair set) or failed
	// (loadErr set): decrypting a cosign key (scrypt) takes hundreds of
	// milliseconds of CPU, so it runs beside the build.
	ready   chan struct{}
	loadErr error
	// known checks signatures by the key before it is decrypted: its
	// public half, remembered from an earlier decryption (keyCache); nil
	// for a key never decrypted here, and for keyless signing.
	known signature.Verifier
}

// New checks the key file (it exists and holds a cosign private key), or
// that an OIDC token can be had for keyless signing, so that a missing key
// fails before anything is built. The key is decrypted beside the build;
// a wrong password stops the first signature, before anything is signed
// or pushed.
func New(ctx context.Context, o Options) (*Signer, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	s := &Signer{opts: o, ready: make(chan struct{})}
	if o.Key == "" {
		if o.Certificates == nil && !providers.Enabled(ctx) {
			return nil, fmt.Errorf("--sign needs a key (--key cosign.key) or an OIDC token for keyless signing (SIGSTORE_ID_TOKEN, or GitHub Actions with `permissions: id-token: write`)")
		}
		kp, err := sign.NewEphemeralKeypair(nil)
		if err != nil {
			return nil, fmt.Errorf("making the keyless signing key: %w", err)
		}
		s.keypair, s.keyless = kp, true
		close(s.ready)
		return s, nil
	}
	data, err := os.ReadFile(o.Key)
	if err != nil {
		return nil, fmt.Errorf("reading the signing key: %w (make one with `cosign generate-key-pair`)", err)
	}
	if b, _ := pem.Decode(data); b == nil || !strings.HasSuffix(b.Type, "PRIVATE KEY") {
		return nil, fmt.Errorf("loading the signing key %s: not a PEM private key (make one with `cosign generate-key-pair`)", o.Key)
	}
	password := []byte(o.Getenv("COSIGN_PASSWORD"))
	cache := newKeyCache(o.KeyCache, data)
	s.known = cache.verifier()
	go func() {
		defer close(s.ready)
		sv, err := cosign.LoadPrivateKey(data, password, nil)
		if err != nil {
			s.loadErr = fmt.Errorf("loading the signing key %s: %w (is COSIGN_PASSWORD its password?)", o.Key, err)
			return
		}
		if s.keypair, err = newKeypair(sv); err != nil {
			s.loadErr = fmt.Errorf("signing key %s: %w", o.Key, err)
			return
		}
		cache.remember(s.keypair.GetPublicKey())
	}()
	return s, nil
}

// Keyless reports whether keyless signing can get an OIDC token here
// (SIGSTORE_ID_TOKEN, or GitHub Actions' id-token).
func Keyless(ctx context.Context) bool { return providers.Enabled(ctx) }

// Ready waits for the key and says whether it could be loaded.
func (s *Signer) Ready(ctx context.Context) error {
	select {
	case <-s.ready:
		return s.loadErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// signatureStatement is what `cosign sign` v3 signs for an image: an
// in-toto statement about the digest with cosign's sign predicate.
func signatureStatement(hexDigest string) ([]byte, error) {
	st := &intotov1.Statement{
		Type:          intotov1.StatementTypeUri,
		Subject:       []*intotov1.ResourceDescriptor{{Digest: map[string]string{"sha256": hexDigest}}},
		PredicateType: ctypes.CosignSignPredicateType,
		Predicate:     &structpb.Struct{},
	}
	return protojson.Marshal(st)
}

// Bundle signs an in-toto statement and returns the Sigstore bundle (JSON)
// that holds it.
func (s *Signer) Bundle(ctx context.Context, statement []byte) ([]byte, error) {
	if err := s.Ready(ctx); err != nil {
		return nil, err
	}
	opts := sign.BundleOptions{Context: ctx}
	if s.keyless {
		if err := s.keylessOptions(ctx, &opts); err != nil {
			return nil, err
		}
	}
	b, err := sign.Bundle(&sign.DSSEData{Data: statement, PayloadType: "application/vnd.in-toto+json"}, s.keypair, opts)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return protojson.Marshal(b)
}

// keylessOptions asks the CA for a certificate of the OIDC identity and
// the log for an entry.
func (s *Signer) keylessOptions(ctx context.Context, opts *sign.BundleOptions) error {
	opts.CertificateProvider, opts.TransparencyLogs = s.opts.Certificates, []sign.Transparency{s.opts.Log}
	if opts.CertificateProvider == nil {
		opts.CertificateProvider = sign.NewFulcio(&sign.FulcioOptions{BaseURL: PublicFulcio, Timeout: 30 * time.Second, Retries: 1})
	}
	if s.opts.Log == nil {
		opts.TransparencyLogs = []sign.Transparency{sign.NewRekor(&sign.RekorOptions{BaseURL: PublicRekor, Timeout: 30 * time.Second, Retries: 1})}
	}
	token := ""
	if providers.Enabled(ctx) {
		var err error
		if token, err = providers.Provide(ctx, "sigstore"); err != nil {
			return fmt.Errorf("getting an OIDC token for keyless signing: %w", err)
		}
	}
	opts.CertificateProviderOptions = &sign.CertificateProviderOptions{IDToken: token}
	return nil
}
