package sign

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"

	"github.com/berth-dev/berth/internal/image"
)

// TestSigned: Signed gives the statements about an image that the trusted
// key or keyless identity signed, through cosign's verifier, on a registry
// with the referrers API and on one with the referrers tag; another key,
// another identity and an unsigned image give an error that says whose
// signature was looked for.
func TestSigned(t *testing.T) {
	t.Setenv("SIGSTORE_ID_TOKEN", "test-token")
	key, pub := keyPair(t, "pw")
	_, otherPub := keyPair(t, "pw")
	pubFile, otherFile := writeFile(t, string(pub)), writeFile(t, string(otherPub))
	fulcio := newFakeFulcio(t)
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	material := &doubles{fulcio: fulcio, rekor: vs}
	rootFile := writeTrustedRoot(t, material)
	for _, referrers := range []bool{true, false} {
		srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
		defer srv.Close()
		host := strings.TrimPrefix(srv.URL, "http://")
		keySigned := pushSigned(t, host+"/key", Options{Key: key, Getenv: env("pw")})
		keylessSigned := pushSigned(t, host+"/keyless", Options{Certificates: fulcio, Log: fakeRekor{vs}})
		unsigned := pushSigned(t, host+"/unsigned", Options{})
		for _, tc := range []struct {
			name string
			d    name.Digest
			t    Trust
			want string // "" succeeds
		}{
			{"key", keySigned, Trust{PublicKey: pubFile}, ""},
			{"another key", keySigned, Trust{PublicKey: otherFile}, "the public key " + otherFile},
			{"unsigned", unsigned, Trust{PublicKey: pubFile}, "no signature of"},
			{"keyless", keylessSigned, Trust{Identity: testIdentity, Issuer: testIssuer, IgnoreSCT: true, Material: material}, ""},
			{"keyless by pattern", keylessSigned, Trust{IdentityRegexp: "@example\\.com$", Issuer: testIssuer, IgnoreSCT: true, Material: material}, ""},
			{"keyless, a trusted root file", keylessSigned, Trust{Identity: testIdentity, Issuer: testIssuer, IgnoreSCT: true, TrustedRoot: rootFile}, ""},
			{"another identity", keylessSigned, Trust{Identity: "someone@example.com", Issuer: testIssuer, IgnoreSCT: true, Material: material}, "someone@example.com"},
			{"keyless, a key given", keylessSigned, Trust{PublicKey: pubFile}, "no signature"},
			{"keyless without its SCT", keylessSigned, Trust{Identity: testIdentity, Issuer: testIssuer, Material: material}, "no signature"},
		} {
			t.Run(tc.name+map[bool]string{true: "/referrers API", false: "/referrers tag"}[referrers], func(t *testing.T) {
				got, err := Signed(context.Background(), tc.d, tc.t)
				if tc.want != "" {
					if err == nil || !strings.Contains(err.Error(), tc.want) {
						t.Errorf("err = %v, want one that says %q", err, tc.want)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				types := map[string]bool{}
				for _, st := range got {
					var s struct {
						PredicateType string `json:"predicateType"`
					}
					if err := json.Unmarshal(st, &s); err != nil {
						t.Fatal(err)
					}
					types[s.PredicateType] = true
				}
				if len(got) != 2 || !types["https://sigstore.dev/cosign/sign/v1"] || !types["https://spdx.dev/Document"] {
					t.Errorf("signed statements of types %v (%d), want the image's signature and its SPDX attestation", types, len(got))
				}
			})
		}
	}
}

// writeTrustedRoot writes the doubles' CA and log as a Sigstore
// trusted_root.json, as --trusted-root reads it.
func writeTrustedRoot(t *testing.T, d *doubles) string {
	t.Helper()
	// The virtual log keeps its ID as hex text; a trusted root holds the
	// bytes the text stands for (the key's SHA-256), keyed by their hex.
	logs := map[string]*root.TransparencyLog{}
	for id, l := range d.RekorLogs() {
		raw, err := hex.DecodeString(string(l.ID))
		if err != nil {
			t.Fatal(err)
		}
		c := *l
		c.ID = raw
		logs[id] = &c
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, d.FulcioCertificateAuthorities(), nil, nil, logs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// pushSigned pushes a random image with an SPDX attachment to repo and
// signs both as o says (o zero: unsigned).
func pushSigned(t *testing.T, repo string, o Options) name.Digest {
	t.Helper()
	r, err := name.NewRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	art := pushArtifact(t, r)
	d, _ := art.Images[0].Image.Digest()
	if o.Key != "" || o.Certificates != nil {
		s, err := New(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := publish(s, art, r); err != nil {
			t.Fatal(err)
		}
	}
	return r.Digest(d.String())
}

// TestLoadTrustRefuses: what names the signer is checked before use.
func TestLoadTrustRefuses(t *testing.T) {
	key, pub := keyPair(t, "pw")
	pubFile := writeFile(t, string(pub))
	badRoot := filepath.Join(t.TempDir(), "root.json")
	if err := os.WriteFile(badRoot, []byte(`{"mediaType":"nonsense"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		t    Trust
		want string
	}{
		{"a private key", Trust{PublicKey: key}, "not a PEM public key"},
		{"no file", Trust{PublicKey: filepath.Join(t.TempDir(), "none.pub")}, "reading the public key"},
		{"key and identity", Trust{PublicKey: pubFile, Identity: "a", Issuer: "b"}, "not both"},
		{"identity without issuer", Trust{Identity: "a"}, "--certificate-oidc-issuer"},
		{"issuer without identity", Trust{Issuer: "b"}, "--certificate-identity"},
		{"identity and its pattern", Trust{Identity: "a", IdentityRegexp: "a", Issuer: "b"}, "one of --certificate-identity"},
		{"a bad trusted root", Trust{Identity: "a", Issuer: "b", TrustedRoot: badRoot}, "reading the trusted root " + badRoot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.t.Load()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one that says %q", err, tc.want)
			}
		})
	}
}

// TestPlanHeld: a push of an image the repository already holds signed by
// the key needs no new signature and no decrypted key, once the key's
// public half was remembered from a decryption: a signer whose password is
// wrong then signs nothing and fails nothing. A new image needs the key
// (and the wrong password fails); a remembered public key that is not the
// key's, or no cache, holds nothing.
func TestPlanHeld(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	repo, err := name.NewRepository(strings.TrimPrefix(srv.URL, "http://") + "/held")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := keyPair(t, "pw")
	cache := t.TempDir()
	art := pushArtifact(t, repo)
	first, err := New(context.Background(), Options{Key: key, Getenv: env("pw"), KeyCache: cache})
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := publish(first, art, repo)
	if err != nil || len(sigs) != 2 {
		t.Fatalf("first push: %d signatures, %v", len(sigs), err)
	}
	plan := func(t *testing.T, o Options, art *image.Artifact) (*Signer, *Plan) {
		t.Helper()
		s, err := New(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Plan(context.Background(), art, repo)
		if err != nil {
			t.Fatal(err)
		}
		return s, p
	}
	t.Run("same image, wrong password", func(t *testing.T) {
		s, p := plan(t, Options{Key: key, Getenv: env("wrong"), KeyCache: cache}, art)
		if !p.Complete() {
			t.Fatalf("held %v, want every signature held", p.held)
		}
		got, made, err := s.Sign(context.Background(), p)
		if err != nil || made != 0 || len(got) != len(sigs) {
			t.Errorf("Sign: %d signatures, %d made, %v; want the %d held, none made", len(got), made, err, len(sigs))
		}
	})
	t.Run("new image, wrong password", func(t *testing.T) {
		s, p := plan(t, Options{Key: key, Getenv: env("wrong"), KeyCache: cache}, pushArtifact(t, repo))
		if p.Complete() {
			t.Fatal("a new image's signatures are held")
		}
		if _, _, err := s.Sign(context.Background(), p); err == nil || !strings.Contains(err.Error(), "COSIGN_PASSWORD") {
			t.Errorf("Sign with a wrong password: %v, want the password's error", err)
		}
	})
	t.Run("another public key remembered", func(t *testing.T) {
		planted := t.TempDir()
		_, otherPub := keyPair(t, "pw")
		keyData, err := os.ReadFile(key)
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(otherPub)
		if block == nil {
			t.Fatal("the other public key is not PEM")
		}
		c := newKeyCache(planted, keyData)
		c.store.Put(c.key, base64.StdEncoding.EncodeToString(block.Bytes))
		if c.verifier() == nil {
			t.Fatal("the planted public key is not read back")
		}
		s, p := plan(t, Options{Key: key, Getenv: env("wrong"), KeyCache: planted}, art)
		if p.Complete() {
			t.Error("signatures by the key are held for another public key")
		}
		if s.Ready(context.Background()) == nil {
			t.Fatal("a wrong password loaded the key")
		}
	})
	t.Run("no cache", func(t *testing.T) {
		s, err := New(context.Background(), Options{Key: key, Getenv: env("wrong")})
		if err != nil {
			t.Fatal(err)
		}
		s.Ready(context.Background())
		if p, err := s.Plan(context.Background(), art, repo); err != nil || p.Complete() {
			t.Errorf("without a cache and a key, Plan = %v held, %v; want none held", p.held, err)
		}
	})
}

// pushArtifact pushes a random image with an SPDX attachment to repo.
func pushArtifact(t *testing.T, repo name.Repository) *image.Artifact {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(repo.Tag("v1"), img); err != nil {
		t.Fatal(err)
	}
	return &image.Artifact{Images: []image.Platformed{{Image: img, Attachments: []image.Attachment{
		{ArtifactType: "application/spdx+json", Data: []byte(`{"spdxVersion":"SPDX-2.3","name":"x"}`)},
	}}}}
}
