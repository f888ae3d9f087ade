package publish

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/progress"
	"github.com/berth-dev/berth/internal/sign"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry pushes the artifact to the registry of each tag, several blobs
// at once: an index with every platform's image, or the one image, then
// the documents attached to each image (referrers). Blobs the registry
// already has are not uploaded again (ggcr checks each with a HEAD first).
// Loopback, localhost and private-network registries are reached over plain
// HTTP when HTTPS fails, as ggcr's name package decides. With a signer
// (Outputs.Sign), what was pushed is then signed in each tag's repository.
func Registry(opts ...Option) Sink {
	return &registryPub{opts: makeOptions(opts)}
}

type registryPub struct {
	opts options
}

// Check has nothing to check before the build: tags are checked where
// they are parsed, and the registry is reached when the image is ready.
func (p *registryPub) Check() error { return nil }

func (p *registryPub) Publish(ctx context.Context, art *image.Artifact, tags []name.Tag) ([]Published, error) {
	if len(tags) == 0 {
		return nil, fmt.Errorf("pushing to a registry needs at least one tag (registry/repo:tag); give a tag")
	}
	d, err := art.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing the image digest: %w", err)
	}
	plans, err := p.signPlans(ctx, art, tags)
	if err != nil {
		return nil, err
	}
	var out []Published
	signed := map[string][]sign.Signature{}
	for _, t := range tags {
		p.opts.logf("pushing %s", t.Name())
		c := &countingTransport{next: p.transport()}
		err := p.write(ctx, t, art, c)
		if err == nil {
			p.opts.logf("pushed %s: %d blobs uploaded, %d mounted, %d already present",
				t.Name(), c.uploaded.Load(), c.mounted.Load(), c.present.Load())
			ro := []remote.Option{remote.WithAuthFromKeychain(p.opts.keychain), remote.WithTransport(c.next)}
			if err = p.pushReferrers(ctx, art, t, ro...); err == nil {
				err = p.sign(ctx, plans[t.Context().Name()], signed, ro)
			}
		}
		if err != nil {
			return out, pushError(t, err)
		}
		out = append(out, Published{Ref: t.Name(), Digest: d, Output: "registry", Signatures: signed[t.Context().Name()]})
	}
	return publishVariants(ctx, p, art, tags, out)
}

// transport is the one the options give, else ggcr's default.
func (p *registryPub) transport() http.RoundTripper {
	if p.opts.transport != nil {
		return p.opts.transport
	}
	return remote.DefaultTransport
}

// signPlans finds, for each repository pushed to, the signatures the
// artifact needs there and those the repository holds already (a push of
// the same image again holds them all). When one is missing, the key,
// decrypted beside the build, is waited for here: a wrong password stops
// the push before an unsigned image is pushed. When none is, the key is
// not needed.
func (p *registryPub) signPlans(ctx context.Context, art *image.Artifact, tags []name.Tag) (map[string]*sign.Plan, error) {
	if p.opts.signer == nil {
		return nil, nil
	}
	ro := []remote.Option{remote.WithAuthFromKeychain(p.opts.keychain), remote.WithTransport(p.transport())}
	plans := map[string]*sign.Plan{}
	complete := true
	for _, t := range tags {
		repo := t.Context()
		if plans[repo.Name()] != nil {
			continue
		}
		plan, err := p.opts.signer.Plan(ctx, art, repo, ro...)
		if err != nil {
			return nil, fmt.Errorf("listing the signatures of %s: %w", repo.Name(), err)
		}
		plans[repo.Name()], complete = plan, complete && plan.Complete()
	}
	if !complete {
		if err := p.opts.signer.Ready(ctx); err != nil {
			return nil, err
		}
	}
	return plans, nil
}

// sign signs the artifact in plan's repository, once per repository however
// many of its tags are pushed.
func (p *registryPub) sign(ctx context.Context, plan *sign.Plan, signed map[string][]sign.Signature, ro []remote.Option) error {
	if plan == nil || signed[plan.Repository()] != nil {
		return nil
	}
	sigs, made, err := p.opts.signer.Sign(ctx, plan, ro...)
	if err != nil {
		return err
	}
	signed[plan.Repository()] = sigs
	if held := len(sigs) - made; held > 0 {
		p.opts.logf("signed %s: %d signatures pushed, %d held already (same statements, verified with the key)", plan.Repository(), made, held)
	} else {
		p.opts.logf("signed %s: %d signatures pushed", plan.Repository(), made)
	}
	return nil
}

// pushJobs is how many blobs upload at once.
const pushJobs = 4

// write pushes the artifact's index or image to t, pushJobs blobs at a
// time, showing the bytes sent on the progress writer (a live line on a
// terminal, plain lines otherwise).
func (p *registryPub) write(ctx context.Context, t name.Tag, art *image.Artifact, rt http.RoundTripper) error {
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(p.opts.keychain),
		remote.WithTransport(rt),
		remote.WithJobs(pushJobs),
	}
	push := func(opts ...remote.Option) error {
		if art.Index != nil {
			return remote.WriteIndex(t, art.Index, opts...)
		}
		return remote.Write(t, art.Images[0].Image, opts...)
	}
	if p.opts.progress == nil {
		return push(opts...)
	}
	// ggcr closes the channel when the write ends.
	updates := make(chan v1.Update, 64)
	m := progress.New(p.opts.progress, "pushing "+t.Name())
	shown := make(chan struct{})
	go func() {
		defer close(shown)
		var last v1.Update
		for u := range updates {
			last = u
			m.Update(u.Complete, u.Total)
		}
		m.Done(last.Complete, last.Total)
	}()
	err := push(append(opts, remote.WithProgress(updates))...)
	<-shown
	return err
}

// countingTransport counts blob requests by outcome, for progress lines.
type countingTransport struct {
	next                       http.RoundTripper
	uploaded, mounted, present atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	path, query := req.URL.Path, req.URL.Query()
	switch {
	case req.Method == http.MethodHead && strings.Contains(path, "/blobs/") && resp.StatusCode == http.StatusOK:
		c.present.Add(1)
	case req.Method == http.MethodPost && query.Has("mount") && resp.StatusCode == http.StatusCreated:
		c.mounted.Add(1)
	case req.Method == http.MethodPut && strings.Contains(path, "/blobs/uploads/") && resp.StatusCode == http.StatusCreated:
		c.uploaded.Add(1)
	}
	return resp, nil
}

// pushError explains a failed push, with the query strings of the URLs in
// the registry's message (upload session states, tokens) left out: they are
// credentials for the upload, and error messages end up in CI logs.
func pushError(t name.Tag, err error) error {
	return &redactedError{
		msg: fmt.Sprintf("pushing %s: %s (is the registry reachable, and are you logged in: `docker login %s`?)", t.Name(), redactURLs(err.Error()), t.RegistryStr()),
		err: err,
	}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// urlQuery matches a URL's query, up to the end of the URL (a space, a
// quote, the end, or the colon ggcr puts after a URL in its errors).
var urlQuery = regexp.MustCompile(`(\bhttps?://[^\s?"']+)\?[^\s"']*?(:?(?:[\s"']|$))`)

func redactURLs(s string) string { return urlQuery.ReplaceAllString(s, "$1?REDACTED$2") }
