package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berth-dev/berth/internal/image"
)

// MergeIndex makes an OCI index of images already pushed, each named by
// digest and placed under the platform its config names, and pushes it to
// every tag: what `docker buildx imagetools create` does for images built on
// separate runners. No layer is uploaded: images in the tag's repository are
// only checked, those in another one of the same registry are mounted, and
// their referrers (SBOMs) are copied with them. The same images in the same
// order give the same index digest.
func MergeIndex(ctx context.Context, sources []name.Digest, tags []name.Tag, opts ...Option) ([]Published, error) {
	o := makeOptions(opts)
	if len(tags) == 0 {
		return nil, fmt.Errorf("an index needs at least one -t/--tag naming where it goes")
	}
	c := &countingTransport{next: o.transport}
	if c.next == nil {
		c.next = remote.DefaultTransport
	}
	ro := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain), remote.WithTransport(c)}
	ms, err := platformImages(sources, ro)
	if err != nil {
		return nil, err
	}
	idx, err := image.Index(ms)
	if err != nil {
		return nil, err
	}
	d, err := idx.Digest()
	if err != nil {
		return nil, err
	}
	var out []Published
	for _, t := range tags {
		if err := remote.WriteIndex(t, idx, ro...); err != nil {
			return out, pushError(t, err)
		}
		if err := copyReferrers(sources, t.Context(), ro); err != nil {
			return out, pushError(t, err)
		}
		o.logf("pushed %s: %d blobs uploaded, %d mounted, %d already present", t.Name(), c.uploaded.Load(), c.mounted.Load(), c.present.Load())
		out = append(out, Published{Ref: t.Name(), Digest: d, Output: "registry"})
	}
	return out, nil
}

// platformImages reads each source's manifest and config (no layer) and
// pairs it with the platform its config names.
func platformImages(sources []name.Digest, ro []remote.Option) ([]image.Manifest, error) {
	ms := make([]image.Manifest, 0, len(sources))
	for _, src := range sources {
		desc, err := remote.Get(src, ro...)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", src, err)
		}
		if desc.MediaType.IsIndex() {
			return nil, fmt.Errorf("%s is an index, not one platform's image: give the digest of each platform's image (`crane manifest %s` lists them)", src, src)
		}
		img, err := desc.Image()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", src, err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading the config of %s: %w", src, err)
		}
		p := cf.Platform()
		if p == nil || p.OS == "" || p.Architecture == "" {
			return nil, fmt.Errorf("%s names no platform in its config (os and architecture): an index cannot place it", src)
		}
		ms = append(ms, image.Manifest{Image: mountable{img, src}, Platform: v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}})
	}
	return ms, nil
}

// copyReferrers copies the referrers of each source that lives in another
// repository than to (an SBOM stays with its image).
func copyReferrers(sources []name.Digest, to name.Repository, ro []remote.Option) error {
	for _, src := range sources {
		if src.Context().String() == to.String() {
			continue
		}
		refs, err := remote.Referrers(src, ro...)
		if err != nil {
			return fmt.Errorf("listing the referrers of %s: %w", src, err)
		}
		list, err := refs.IndexManifest()
		if err != nil {
			return fmt.Errorf("listing the referrers of %s: %w", src, err)
		}
		for _, r := range list.Manifests {
			from := src.Context().Digest(r.Digest.String())
			img, err := remote.Image(from, ro...)
			if err != nil {
				return fmt.Errorf("reading %s: %w", from, err)
			}
			if err := remote.Write(to.Digest(r.Digest.String()), mountable{img, from}, ro...); err != nil {
				return fmt.Errorf("copying %s: %w", from, err)
			}
		}
	}
	return nil
}

// mountable is an image in a registry whose config, like its layers, is
// mounted from its repository rather than uploaded to another one.
type mountable struct {
	v1.Image
	from name.Reference
}

func (m mountable) ConfigLayer() (v1.Layer, error) {
	cl, err := partial.ConfigLayer(m.Image)
	if err != nil {
		return nil, err
	}
	return &remote.MountableLayer{Layer: cl, Reference: m.from}, nil
}
