package sign

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/testenv"
)

// keyPair writes a cosign key pair with password pw and returns the
// private key's path and the public key.
func keyPair(t *testing.T, pw string) (string, []byte) {
	t.Helper()
	key, pub, err := testenv.WriteCosignKey(t.TempDir(), pw)
	if err != nil {
		t.Fatal(err)
	}
	return key, pub
}

func env(pw string) func(string) string {
	return func(k string) string {
		if k == "COSIGN_PASSWORD" {
			return pw
		}
		return ""
	}
}

// publish signs art in repo as the registry sink does: Plan, then Sign.
func publish(s *Signer, art *image.Artifact, repo name.Repository) ([]Signature, error) {
	p, err := s.Plan(context.Background(), art, repo)
	if err != nil {
		return nil, err
	}
	sigs, _, err := s.Sign(context.Background(), p)
	return sigs, err
}

// verifyWithKey checks bundle against pub without a transparency log.
func verifyWithKey(t *testing.T, bundle, pub []byte) ([]byte, error) {
	t.Helper()
	return testenv.VerifyBundleWithKey(bundle, pub)
}

func TestKeyBundleVerifies(t *testing.T) {
	key, pub := keyPair(t, "right")
	_, otherPub := keyPair(t, "right")
	s, err := New(context.Background(), Options{Key: key, Getenv: env("right")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := signatureStatement(strings.Repeat("ab", 32))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Bundle(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := verifyWithKey(t, b, pub)
	if err != nil {
		t.Fatalf("the bundle does not verify with its public key: %v", err)
	}
	if string(payload) != string(st) {
		t.Errorf("signed %s, want %s", payload, st)
	}
	if _, err := verifyWithKey(t, b, otherPub); err == nil {
		t.Error("the bundle verifies with another key")
	}
}

func TestNewRefuses(t *testing.T) {
	key, _ := keyPair(t, "right")
	for _, v := range []string{"SIGSTORE_ID_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"} {
		t.Setenv(v, "") // restored when the test ends
		os.Unsetenv(v)
	}
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"wrong password", Options{Key: key, Getenv: env("wrong")}, "COSIGN_PASSWORD"},
		{"no key file", Options{Key: filepath.Join(t.TempDir(), "none.key"), Getenv: env("right")}, "cosign generate-key-pair"},
		{"not a key", Options{Key: writeFile(t, "not a key"), Getenv: env("right")}, "not a PEM private key"},
		{"keyless without a token", Options{}, "SIGSTORE_ID_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(context.Background(), tc.o)
			if err == nil {
				err = s.Ready(context.Background())
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one that says %q", err, tc.want)
			}
		})
	}
}

func writeFile(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPublish: the image's signature and one attestation per attachment
// are referrers of the image, each with the predicate type cosign looks
// for, and each statement names the image.
func TestPublish(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	repo, err := name.NewRepository(strings.TrimPrefix(srv.URL, "http://") + "/signed")
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	if err := remote.Write(repo.Tag("v1"), img); err != nil {
		t.Fatal(err)
	}
	key, pub := keyPair(t, "pw")
	s, err := New(context.Background(), Options{Key: key, Getenv: env("pw")})
	if err != nil {
		t.Fatal(err)
	}
	art := &image.Artifact{Images: []image.Platformed{{Image: img, Attachments: []image.Attachment{
		{ArtifactType: "application/spdx+json", Data: []byte(`{"spdxVersion":"SPDX-2.3","name":"x"}`)},
		{ArtifactType: "application/vnd.cyclonedx+json", Data: []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`)},
	}}}}
	sigs, err := publish(s, art, repo)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://sigstore.dev/cosign/sign/v1", "https://spdx.dev/Document", "https://cyclonedx.org/bom"}
	if len(sigs) != len(want) {
		t.Fatalf("signatures %+v, want %v", sigs, want)
	}
	idx, err := remote.Referrers(repo.Digest(d.String()))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := idx.IndexManifest()
	got := map[string]bool{}
	for _, desc := range m.Manifests {
		got[desc.Annotations["dev.sigstore.bundle.predicateType"]] = true
		checkReferrer(t, repo, desc.Digest.String(), d.Hex, pub)
	}
	for i, w := range want {
		if !got[w] || sigs[i].PredicateType != w || sigs[i].Subject != d {
			t.Errorf("signature %d: %+v (referrers %v), want %s about %s", i, sigs[i], got, w, d)
		}
	}
}

// checkReferrer: the bundle at digest verifies with pub and its statement
// is about the image hexDigest.
func checkReferrer(t *testing.T, repo name.Repository, digest, hexDigest string, pub []byte) {
	t.Helper()
	art, err := remote.Image(repo.Digest(digest))
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := art.Layers()
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	bundle, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := verifyWithKey(t, bundle, pub)
	if err != nil {
		t.Fatalf("bundle %s: %v", digest, err)
	}
	var st struct {
		Subject []struct{ Digest map[string]string }
	}
	if err := json.Unmarshal(payload, &st); err != nil || len(st.Subject) != 1 || st.Subject[0].Digest["sha256"] != hexDigest {
		t.Errorf("bundle %s is about %+v (%v), want sha256:%s", digest, st.Subject, err, hexDigest)
	}
}

// TestPublishIndex: for several platforms, the index and each platform's
// image are signed, and each image's attachment is attested about that
// image.
func TestPublishIndex(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	repo, err := name.NewRepository(strings.TrimPrefix(srv.URL, "http://") + "/index")
	if err != nil {
		t.Fatal(err)
	}
	var imgs []image.Platformed
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, image.Platformed{Image: img, Platform: v1.Platform{OS: "linux", Architecture: arch},
			Attachments: []image.Attachment{{ArtifactType: "application/spdx+json", Data: []byte(`{"spdxVersion":"SPDX-2.3"}`)}}})
	}
	art, err := image.NewArtifact(imgs)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(repo.Tag("v1"), art.Index); err != nil {
		t.Fatal(err)
	}
	key, _ := keyPair(t, "pw")
	s, err := New(context.Background(), Options{Key: key, Getenv: env("pw")})
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := publish(s, art, repo)
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := art.Index.Digest()
	a, _ := imgs[0].Image.Digest()
	b, _ := imgs[1].Image.Digest()
	want := []Signature{{idx, "https://sigstore.dev/cosign/sign/v1"}, {a, "https://sigstore.dev/cosign/sign/v1"}, {b, "https://sigstore.dev/cosign/sign/v1"},
		{a, "https://spdx.dev/Document"}, {b, "https://spdx.dev/Document"}}
	if len(sigs) != len(want) {
		t.Fatalf("signatures %+v, want %+v", sigs, want)
	}
	for i := range want {
		if sigs[i] != want[i] {
			t.Errorf("signature %d: %+v, want %+v", i, sigs[i], want[i])
		}
	}
}
