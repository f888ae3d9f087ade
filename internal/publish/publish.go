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

	"github.com/berth-dev/berth/internal/timing"
)

// Publisher sends an image somewhere under some tags.
type Publisher interface {
	// Publish returns one "<ref>@sha256:<digest>" line per tag (or one for
	// the destination itself when a sink needs no tag and none is given).
	Publish(ctx context.Context, img v1.Image, tags []name.Tag) ([]string, error)
}

// Option configures a publisher.
type Option func(*options)

type options struct {
	progress  io.Writer
	keychain  authn.Keychain
	transport http.RoundTripper
	// attachments go with the image where the sink can hold them.
	attachments []Attachment
	// force replaces an OCI layout or tar archive berth did not write.
	force bool
}

// WithForce lets a sink replace an OCI layout or a tar archive that berth
// did not write (never a file or directory of another kind).
func WithForce() Option { return func(o *options) { o.force = true } }

// WithProgress sends one line per step ("pushing ...", upload counts) to w,
// typically stderr; publishers are quiet without it.
func WithProgress(w io.Writer) Option { return func(o *options) { o.progress = w } }

// WithKeychain sets the registry credentials (default: the Docker config,
// as `docker login` writes it, and its credential helpers).
func WithKeychain(k authn.Keychain) Option { return func(o *options) { o.keychain = k } }

// WithTransport sets the HTTP transport used to reach registries.
func WithTransport(rt http.RoundTripper) Option { return func(o *options) { o.transport = rt } }

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

// shortRef names a tag as the user wrote it, with the tag made explicit
// ("app" becomes "app:latest"), as `docker images` shows it.
func shortRef(t name.Tag) string {
	s := t.String()
	if !strings.HasSuffix(s, ":"+t.TagStr()) {
		s += ":" + t.TagStr()
	}
	return s
}

// Multi publishes to every publisher in order, stopping at the first error;
// it returns the lines of all of them (on error, those written so far).
func Multi(pubs ...Publisher) Publisher { return multi(pubs) }

type multi []Publisher

// Checker is a sink that can say, before anything is written anywhere,
// that it would refuse its destination.
type Checker interface {
	Check() error
}

// checkAll runs every sink's Check, so that a bad later output fails the
// build before an earlier one is replaced.
func checkAll[P any](pubs []P) error {
	for _, p := range pubs {
		if c, ok := any(p).(Checker); ok {
			if err := c.Check(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Check checks every sink.
func (m multi) Check() error { return checkAll(m) }

func (m multi) Publish(ctx context.Context, img v1.Image, tags []name.Tag) ([]string, error) {
	if err := checkAll(m); err != nil {
		return nil, err
	}
	var lines []string
	for _, p := range m {
		done := timing.Startf(ctx, "output %s", sinkName(p))
		out, err := p.Publish(ctx, img, tags)
		done()
		lines = append(lines, out...)
		if err != nil {
			return lines, err
		}
	}
	return lines, nil
}

// sinkName is a sink's type name, for --timings.
func sinkName(p any) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", p), "*publish.")
}
