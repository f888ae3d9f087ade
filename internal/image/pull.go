package image

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// LayoutPrefix marks a base image reference as a local OCI image layout
// directory ("oci:./base") rather than a registry reference.
const LayoutPrefix = "oci:"

// PullOption adjusts how Pull reaches a registry.
type PullOption func(*pullOptions)

type pullOptions struct {
	remote []remote.Option
}

// WithRemoteOptions passes options (transport, keychain, ...) to ggcr's
// remote package; they come after Pull's defaults and so override them.
func WithRemoteOptions(opts ...remote.Option) PullOption {
	return func(o *pullOptions) { o.remote = append(o.remote, opts...) }
}

// Pull fetches a base image for platform: from a registry ("debian:12",
// "127.0.0.1:5000/base@sha256:..."), resolving a multi-platform index, or
// from an OCI layout directory ("oci:DIR"), which must hold a single image
// or exactly one image for platform. The image's own platform is checked.
func Pull(ctx context.Context, ref string, platform v1.Platform, opts ...PullOption) (v1.Image, error) {
	if dir, ok := strings.CutPrefix(ref, LayoutPrefix); ok {
		return fromLayout(dir, platform)
	}
	o := pullOptions{}
	for _, opt := range opts {
		opt(&o)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("base image %q is not a valid reference (want registry/repo:tag, repo@sha256:..., or %sDIR for an OCI layout): %w", ref, LayoutPrefix, err)
	}
	ropts := append([]remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithPlatform(platform),
	}, o.remote...)
	img, err := remote.Image(r, ropts...)
	if err != nil {
		return nil, fmt.Errorf("pulling base image %s: %w (check the name, your network, and `docker login %s` for private registries)", r.Name(), err, r.Context().RegistryStr())
	}
	if err := checkPlatform(img, platform); err != nil {
		return nil, fmt.Errorf("base image %s: %w", r.Name(), err)
	}
	return img, nil
}

// checkPlatform fails when img's config names another os/architecture.
func checkPlatform(img v1.Image, want v1.Platform) error {
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	if !matches(cf.Platform(), want) {
		return fmt.Errorf("image is for %s, want %s; choose a base image built for %s or a multi-platform one", platformString(cf.Platform()), platformString(&want), platformString(&want))
	}
	return nil
}

// matches reports whether have satisfies want; empty fields of want (and a
// missing have) match anything.
func matches(have *v1.Platform, want v1.Platform) bool {
	if have == nil {
		return true
	}
	return (want.OS == "" || have.OS == "" || want.OS == have.OS) &&
		(want.Architecture == "" || have.Architecture == "" || want.Architecture == have.Architecture) &&
		(want.Variant == "" || have.Variant == "" || want.Variant == have.Variant)
}

func platformString(p *v1.Platform) string {
	if p == nil || (p.OS == "" && p.Architecture == "") {
		return "an unknown platform"
	}
	return p.String()
}
