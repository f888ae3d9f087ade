package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/sign"
)

// AttestTo says where a signed attestation about an image goes: beside the
// image (in the OCI layout or the registry repository it was read from),
// to a file, or both.
type AttestTo struct {
	Layout string // an OCI layout directory: the attestation joins its index.json
	Repo   string // a registry repository: pushed as a referrer, as cosign does
	File   string // the Sigstore bundle as a file (--attest-out)
	Key    string // a cosign private key (its password in COSIGN_PASSWORD); "" signs keyless
}

// Attester signs an attestation and writes it where AttestTo says.
type Attester struct {
	to     AttestTo
	repo   name.Repository
	signer *sign.Signer
	opts   options
}

// OpenAttestation checks, before anything is built, that the attestation
// has somewhere to go, that --attest-out would not replace a user's file,
// and that it can be signed (a key file, or an OIDC token for keyless
// signing); the key is decrypted beside the rebuild.
func OpenAttestation(ctx context.Context, to AttestTo, opts ...Option) (*Attester, error) {
	a := &Attester{to: to, opts: makeOptions(opts)}
	if to.Layout == "" && to.Repo == "" && to.File == "" {
		return nil, fmt.Errorf("the attestation has nowhere to go: give --attest-out FILE")
	}
	if to.Repo != "" {
		var err error
		if a.repo, err = name.NewRepository(to.Repo); err != nil {
			return nil, fmt.Errorf("the attestation's repository %q: %w", to.Repo, err)
		}
	}
	if to.File != "" {
		if err := checkBundleOut(to.File); err != nil {
			return nil, err
		}
	}
	if to.Key == "" && !sign.Keyless(ctx) {
		return nil, fmt.Errorf("--attest signs the attestation: give a cosign key (--key cosign.key, its password in COSIGN_PASSWORD), or an OIDC token for keyless signing (SIGSTORE_ID_TOKEN, or GitHub Actions with `permissions: id-token: write`)")
	}
	s, err := sign.New(ctx, sign.Options{Key: to.Key})
	if err != nil {
		return nil, err
	}
	a.signer = s
	return a, nil
}

// Ready waits for the signing key (decrypted beside the rebuild) and says
// whether it could be loaded (a wrong COSIGN_PASSWORD).
func (a *Attester) Ready(ctx context.Context) error { return a.signer.Ready(ctx) }

// Attach signs statement (an in-toto statement of predicateType about
// subject) once and writes the bundle everywhere a.to names; it returns
// where, in the words berth prints.
func (a *Attester) Attach(ctx context.Context, subject v1.Descriptor, statement []byte, predicateType string) ([]string, error) {
	bundle, err := a.signer.Bundle(ctx, statement)
	if err != nil {
		return nil, fmt.Errorf("signing the attestation about %s: %w", subject.Digest, err)
	}
	var out []string
	if a.to.Repo != "" {
		d := a.repo.Digest(subject.Digest.String())
		ro := []remote.Option{remote.WithAuthFromKeychain(a.opts.keychain)}
		if a.opts.transport != nil {
			ro = append(ro, remote.WithTransport(a.opts.transport))
		}
		if err := sign.PushBundle(ctx, d, bundle, predicateType, ro...); err != nil {
			return out, err
		}
		out = append(out, d.Name())
	}
	if a.to.Layout != "" {
		att, err := sign.BundleAttachment(bundle, predicateType, time.Now())
		if err == nil {
			err = addToLayout(ctx, a.to.Layout, subject, att)
		}
		if err != nil {
			return out, fmt.Errorf("adding the attestation to the OCI layout %s: %w", a.to.Layout, err)
		}
		out = append(out, "oci:"+a.to.Layout)
	}
	if a.to.File != "" {
		if err := writeBundle(ctx, a.to.File, bundle); err != nil {
			return out, err
		}
		out = append(out, a.to.File)
	}
	return out, nil
}

// addToLayout writes the artifact of att about subject into the layout's
// blobs, then lists it in index.json, which is replaced atomically: a
// reader sees the layout before or after, never an entry without its
// blobs. The layout's other entries are kept as they are.
func addToLayout(ctx context.Context, dir string, subject v1.Descriptor, att image.Attachment) error {
	p, err := layout.FromPath(dir)
	if err != nil {
		return err
	}
	art, err := image.Referrer(described{subject}, att)
	if err != nil {
		return err
	}
	if err := p.WriteImage(art); err != nil {
		return err
	}
	d, err := art.Digest()
	if err != nil {
		return err
	}
	raw, err := art.RawManifest()
	if err != nil {
		return err
	}
	indexFile := filepath.Join(dir, "index.json")
	data, err := os.ReadFile(indexFile)
	if err != nil {
		return err
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(data, &im); err != nil {
		return fmt.Errorf("reading %s: %w", indexFile, err)
	}
	im.Manifests = append(im.Manifests, v1.Descriptor{
		MediaType: types.OCIManifestSchema1, Digest: d, Size: int64(len(raw)), ArtifactType: att.ArtifactType,
	})
	out, err := json.MarshalIndent(im, "", "   ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(ctx, indexFile, func(w io.Writer) error { _, err := w.Write(out); return err })
}

// described gives image.Referrer a subject known by its descriptor alone.
type described struct{ d v1.Descriptor }

func (d described) Digest() (v1.Hash, error)            { return d.d.Digest, nil }
func (d described) MediaType() (types.MediaType, error) { return d.d.MediaType, nil }
func (d described) Size() (int64, error)                { return d.d.Size, nil }

// checkBundleOut refuses to replace anything at path but a Sigstore bundle.
func checkBundleOut(path string) error {
	return atomicfile.CheckOutput("--attest-out", path, "a Sigstore bundle", isBundle)
}

// isBundle recognises a Sigstore bundle (JSON) by its media type.
func isBundle(data []byte) bool {
	var head struct {
		MediaType string `json:"mediaType"`
	}
	return json.Unmarshal(data, &head) == nil && strings.HasPrefix(head.MediaType, "application/vnd.dev.sigstore.bundle")
}

// writeBundle writes --attest-out, checked again just before.
func writeBundle(ctx context.Context, path string, bundle []byte) error {
	if err := checkBundleOut(path); err != nil {
		return err
	}
	err := atomicfile.WriteFile(ctx, path, func(w io.Writer) error { _, err := w.Write(bundle); return err })
	if err != nil {
		return fmt.Errorf("writing --attest-out %s: %w", path, err)
	}
	return nil
}
