package publish

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/sign"
	"github.com/berth-dev/berth/internal/timing"
)

// Sink sends a build's artifact (one image, or an index of one image per
// platform, with the documents attached to them) somewhere under some
// tags. Each sink decides what an index means for it: an OCI layout and a
// registry take it whole, the Docker daemon and a docker-archive take one
// platform's image.
type Sink interface {
	// Check says, before anything is built, that the sink would refuse its
	// destination (a user's file where a tarball goes).
	Check() error
	// Publish returns one entry per reference it wrote; on error, those
	// written before it.
	Publish(ctx context.Context, art *image.Artifact, tags []name.Tag) ([]Published, error)
}

// Published is one reference a sink wrote.
type Published struct {
	Ref    string  // a tag, or the layout directory or tarball when untagged
	Digest v1.Hash // the index's or the image's
	Output string  // the kind of output: oci-layout, docker-archive, daemon or registry
	Dest   string  // the layout directory or tarball path; "" for the daemon and registries
	// Platform is set when the sink took one platform's image of an index.
	Platform string
	// Signatures are those pushed with a registry reference (--sign).
	Signatures []sign.Signature
}

// String is the "<ref>@sha256:<digest>" line berth prints for p.
func (p Published) String() string { return p.Ref + "@" + p.Digest.String() }

// Option configures a sink.
type Option func(*options)

type options struct {
	progress  io.Writer
	keychain  authn.Keychain
	transport http.RoundTripper
	// force replaces an OCI layout or tar archive berth did not write.
	force bool
	// platform is the image the daemon and a docker-archive take from an
	// index.
	platform v1.Platform
	// signer signs what the registry sink pushes; nil: no signing.
	signer *sign.Signer
}

// WithForce lets a sink replace an OCI layout or a tar archive that berth
// did not write (never a file or directory of another kind).
func WithForce() Option { return func(o *options) { o.force = true } }

// WithProgress sends one line per step ("pushing ...", upload counts) to w,
// typically stderr; sinks are quiet without it.
func WithProgress(w io.Writer) Option { return func(o *options) { o.progress = w } }

// WithKeychain sets the registry credentials (default: the Docker config,
// as `docker login` writes it, and its credential helpers).
func WithKeychain(k authn.Keychain) Option { return func(o *options) { o.keychain = k } }

// WithTransport sets the HTTP transport used to reach registries.
func WithTransport(rt http.RoundTripper) Option { return func(o *options) { o.transport = rt } }

// WithPlatform chooses the image that sinks holding one image (the daemon,
// a docker-archive) take from an index.
func WithPlatform(p v1.Platform) Option { return func(o *options) { o.platform = p } }

func makeOptions(opts []Option) options {
	o := options{keychain: authn.DefaultKeychain}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func (o options) logf(format string, args ...any) {
	if o.progress != nil {
		fmt.Fprintf(o.progress, format+"\n", args...)
	}
}

// one is the image a sink that holds one image takes from art, with the
// platform to report when art is an index ("" when it is one image).
func (o options) one(art *image.Artifact, where string) (image.Platformed, string, error) {
	img, err := art.For(o.platform)
	if err != nil || art.Index == nil {
		return img, "", err
	}
	o.logf("%s holds one platform's image: %s goes there", where, img.Platform)
	return img, img.Platform.String(), nil
}

// shortRef names a tag as the user wrote it, with the tag made explicit
// ("app" becomes "app:latest"), as `docker images` shows it.
func shortRef(t name.Tag) string {
	s := t.String()
	if !strings.HasSuffix(s, ":"+t.TagStr()) {
		s += ":" + t.TagStr()
	}
	return s
}

// refs is one entry per tag, named by ref, or dest's when untagged.
func refs(out Published, tags []name.Tag, ref func(name.Tag) string) []Published {
	if len(tags) == 0 {
		out.Ref = out.Dest
		return []Published{out}
	}
	list := make([]Published, 0, len(tags))
	for _, t := range tags {
		p := out
		p.Ref = ref(t)
		list = append(list, p)
	}
	return list
}

// Multi publishes to every sink in order, stopping at the first error; it
// returns what all of them published (on error, what was published so
// far).
func Multi(sinks ...Sink) Sink { return multi(sinks) }

type multi []Sink

// Check checks every sink, so that a bad later output fails the build
// before an earlier one is replaced.
func (m multi) Check() error {
	for _, s := range m {
		if err := s.Check(); err != nil {
			return err
		}
	}
	return nil
}

func (m multi) Publish(ctx context.Context, art *image.Artifact, tags []name.Tag) ([]Published, error) {
	var out []Published
	for _, s := range m {
		done := timing.Startf(ctx, "output %s", sinkName(s))
		got, err := s.Publish(ctx, art, tags)
		done()
		out = append(out, got...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// sinkName is a sink's type name, for --timings.
func sinkName(p any) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", p), "*publish.")
}
