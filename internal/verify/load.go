package verify

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/provenance"
)

// subject is the image (or index) to verify and its provenance statement.
type subject struct {
	digest    v1.Hash
	desc      v1.Descriptor       // the image's or index's, for an attestation about it
	images    map[string]v1.Image // by platform ("" for a lone image)
	statement []byte              // nil when the image has none
	// statements are all the provenance statements about the image (a
	// registry may hold several); statement is the last.
	statements [][]byte
	// Where it was read: one of these.
	layout, repo, archive string
	// archived are a docker-archive's images, until the provenance
	// says which it is about (choose).
	archived []archived
}

// load reads ref: oci:DIR (an OCI layout), docker-archive:FILE (as
// --tarball writes it) or a registry reference.
func load(ctx context.Context, ref string) (*subject, error) {
	if dir, ok := strings.CutPrefix(ref, "oci:"); ok {
		return loadLayout(dir)
	}
	if file, ok := strings.CutPrefix(ref, "docker-archive:"); ok {
		a, err := loadArchive(file)
		return &subject{archive: file, archived: a}, err
	}
	return loadRemote(ctx, ref)
}

// choose takes, of a docker-archive's images, the one the provenance is
// about, and says whether there is one. When none is, it takes the first
// image: either the archive was altered or the provenance is another
// image's, and only the rebuild can tell which (compare shows the layer
// and files that differ).
func (s *subject) choose(prov *provenance.Parsed) (bool, error) {
	if s.archive == "" {
		return prov.About(s.digest.String()), nil
	}
	for _, a := range s.archived {
		for _, img := range a.images {
			d, err := img.Digest()
			if err != nil {
				return false, cannot("reading the docker-archive %s: %v", s.archive, err)
			}
			if prov.About(d.String()) {
				s.digest, s.images = d, map[string]v1.Image{"": img}
				return true, nil
			}
		}
	}
	img := s.archived[0].images[0]
	d, err := img.Digest()
	s.digest, s.images = d, map[string]v1.Image{"": img}
	return false, err
}

func loadLayout(dir string) (*subject, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, cannot("reading the OCI layout %s: %v", dir, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, cannot("reading %s/index.json: %v", dir, err)
	}
	s := &subject{layout: dir}
	var top *v1.Descriptor
	for i, d := range im.Manifests {
		if isImage(d) && top == nil {
			top = &im.Manifests[i]
		}
	}
	if top == nil {
		return nil, cannot("the OCI layout %s holds no image", dir)
	}
	s.digest, s.desc = top.Digest, *top
	if s.images, err = platformImages(top.MediaType.IsIndex(), func() (v1.ImageIndex, error) { return idx.ImageIndex(top.Digest) },
		func() (v1.Image, error) { return idx.Image(top.Digest) }); err != nil {
		return nil, err
	}
	for _, d := range im.Manifests {
		if d.ArtifactType != provenance.MediaType {
			continue
		}
		art, err := idx.Image(d.Digest)
		if err != nil {
			return nil, cannot("reading the artifact %s in %s: %v", d.Digest, dir, err)
		}
		if doc, ok := statementAbout(art, s.digest); ok {
			s.statement = doc
			s.statements = append(s.statements, doc)
		}
	}
	return s, nil
}

func loadRemote(ctx context.Context, ref string) (*subject, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, cannot("%q is neither oci:DIR nor an image reference: %v", ref, err)
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	desc, err := remote.Get(r, opts...)
	if err != nil {
		return nil, cannot("reading %s: %v", ref, err)
	}
	s := &subject{digest: desc.Digest, desc: desc.Descriptor, repo: r.Context().Name()}
	if s.images, err = platformImages(desc.MediaType.IsIndex(), desc.ImageIndex, desc.Image); err != nil {
		return nil, err
	}
	// Not filtered by artifact type: go-containerregistry's registry lists
	// an artifact under its config's media type (the empty config), so the
	// filter would hide the provenance there; statementAbout reads the
	// artifact's own type.
	refs, err := remote.Referrers(r.Context().Digest(desc.Digest.String()), opts...)
	if err != nil {
		return nil, cannot("listing the artifacts about %s: %v", ref, err)
	}
	refm, err := refs.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range refm.Manifests {
		if d.ArtifactType != provenance.MediaType && d.ArtifactType != emptyConfig {
			continue // an SBOM, a signature: not fetched
		}
		art, err := remote.Image(r.Context().Digest(d.Digest.String()), opts...)
		if err != nil {
			return nil, cannot("reading the artifact %s: %v", d.Digest, err)
		}
		if doc, ok := statementAbout(art, s.digest); ok {
			s.statement = doc
			s.statements = append(s.statements, doc)
		}
	}
	return s, nil
}

// isImage tells an image or index from the artifacts about one: ggcr
// gives an image's config media type as its artifact type.
func isImage(d v1.Descriptor) bool {
	switch types.MediaType(d.ArtifactType) {
	case "", types.OCIConfigJSON, types.DockerConfigJSON:
		return d.MediaType.IsImage() || d.MediaType.IsIndex()
	}
	return false
}

// platformImages are the images of an index by platform, or the one image.
func platformImages(isIndex bool, index func() (v1.ImageIndex, error), img func() (v1.Image, error)) (map[string]v1.Image, error) {
	if !isIndex {
		i, err := img()
		if err != nil {
			return nil, cannot("reading the image: %v", err)
		}
		return map[string]v1.Image{"": i}, nil
	}
	idx, err := index()
	if err != nil {
		return nil, cannot("reading the index: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	out := map[string]v1.Image{}
	for _, d := range im.Manifests {
		if d.Platform == nil {
			continue
		}
		if out[d.Platform.String()], err = idx.Image(d.Digest); err != nil {
			return nil, cannot("reading the %s image: %v", d.Platform, err)
		}
	}
	return out, nil
}

// emptyConfig is the config media type of OCI 1.1 artifacts.
const emptyConfig = "application/vnd.oci.empty.v1+json"

// statementAbout is the in-toto statement of an artifact manifest whose
// subject is digest.
func statementAbout(art v1.Image, digest v1.Hash) ([]byte, bool) {
	m, err := art.Manifest()
	if err != nil || m.Subject == nil || m.Subject.Digest != digest || len(m.Layers) != 1 || m.Layers[0].MediaType != provenance.MediaType {
		return nil, false
	}
	l, err := art.LayerByDigest(m.Layers[0].Digest)
	if err != nil {
		return nil, false
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	doc, err := io.ReadAll(io.LimitReader(rc, 16<<20))
	return doc, err == nil
}

// readStatement is the statement in file (--provenance).
func readStatement(file string) ([]byte, error) {
	doc, err := os.ReadFile(file)
	if err != nil {
		return nil, cannot("reading --provenance %s: %v", file, err)
	}
	return doc, nil
}

// cannot is a reason the image cannot be checked: exit 2.
func cannot(format string, args ...any) error {
	return &pipeline.InputError{Err: fmt.Errorf(format, args...)}
}
