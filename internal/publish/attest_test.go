package publish

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestOpenAttestationRefuses: what cannot work is refused before anything
// is built, and a user's file at --attest-out is left as it was.
func TestOpenAttestationRefuses(t *testing.T) {
	for _, k := range []string{"SIGSTORE_ID_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	key, _, err := testenv.WriteCosignKey(t.TempDir(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mine := filepath.Join(dir, "notes.json")
	if err := os.WriteFile(mine, []byte(`{"mine":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		to   AttestTo
		want string
	}{
		{"nowhere", AttestTo{Key: key}, "give --attest-out FILE"},
		{"no key, no token", AttestTo{File: filepath.Join(dir, "a.json")}, "OIDC token"},
		{"missing key", AttestTo{File: filepath.Join(dir, "a.json"), Key: key + ".nope"}, "cosign generate-key-pair"},
		{"a user's file", AttestTo{File: mine, Key: key}, "is not a Sigstore bundle"},
		{"no such directory", AttestTo{File: filepath.Join(dir, "nope", "a.json"), Key: key}, "does not exist"},
		{"bad repository", AttestTo{Repo: "UPPER/Case", Key: key}, "repository"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := OpenAttestation(context.Background(), tc.to); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("OpenAttestation: %v, want an error that says %q", err, tc.want)
			}
		})
	}
	if data, _ := os.ReadFile(mine); string(data) != `{"mine":true}` {
		t.Errorf("the user's file became %q", data)
	}
}

// TestAttestLayout: the attestation joins the layout's index.json as an
// artifact whose subject is the image, the layout's other entries stay,
// and the bundle (in the layout and at --attest-out) verifies with the
// public key and not with another.
func TestAttestLayout(t *testing.T) {
	key, pub, err := testenv.WriteCosignKey(t.TempDir(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, otherPub, err := testenv.WriteCosignKey(t.TempDir(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("COSIGN_PASSWORD", "pw")
	dir, out := filepath.Join(t.TempDir(), "oci"), filepath.Join(t.TempDir(), "reproduced.json")
	img := testImage(t, randomLayers(t, 1)...)
	ctx := context.Background()
	if _, err := OCILayout(dir).Publish(ctx, single(img), tags(t, "app:v1")); err != nil {
		t.Fatal(err)
	}
	a, err := OpenAttestation(ctx, AttestTo{Layout: dir, File: out, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := partial.Descriptor(img)
	if err != nil {
		t.Fatal(err)
	}
	statement := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"` + desc.Digest.Hex + `"}}],"predicateType":"https://example.com/p","predicate":{}}`)
	where, err := a.Attach(ctx, *desc, statement, "https://example.com/p")
	if err != nil {
		t.Fatal(err)
	}
	if len(where) != 2 || where[0] != "oci:"+dir || where[1] != out {
		t.Errorf("attached to %q", where)
	}
	inLayout := layoutBundle(t, dir, desc.Digest)
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"layout": inLayout, "--attest-out": file} {
		payload, err := testenv.VerifyBundleWithKey(b, pub)
		if err != nil || !json.Valid(payload) || !strings.Contains(string(payload), desc.Digest.Hex) {
			t.Errorf("%s: bundle does not verify with the key (%v): %s", name, err, payload)
		}
		if _, err := testenv.VerifyBundleWithKey(b, otherPub); err == nil {
			t.Errorf("%s: bundle verifies with another key", name)
		}
	}
}

// layoutBundle checks that the layout lists the image as it was, then one
// Sigstore bundle artifact about subject, and returns the bundle.
func layoutBundle(t *testing.T, dir string, subject v1.Hash) []byte {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 2 || im.Annotations[LayoutAnnotation] == "" || im.Manifests[0].Annotations[RefNameAnnotation] != "v1" {
		t.Fatalf("index.json %+v: want the image as it was, then the attestation", im)
	}
	art, err := idx.Image(im.Manifests[1].Digest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := art.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject == nil || m.Subject.Digest != subject || !strings.HasPrefix(m.ArtifactType, "application/vnd.dev.sigstore.bundle") {
		t.Fatalf("artifact manifest %+v: want a Sigstore bundle about the image", m)
	}
	l, err := art.LayerByDigest(m.Layers[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	return data
}
