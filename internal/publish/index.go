package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/timing"
)

// IndexPublisher sends a multi-platform image index somewhere under some
// tags; the lines it returns are "<ref>@sha256:<digest>" like Publisher's.
type IndexPublisher interface {
	PublishIndex(ctx context.Context, idx v1.ImageIndex, tags []name.Tag) ([]string, error)
}

// OCILayoutIndex writes an OCI layout whose index.json names idx once per
// tag; like OCILayout it replaces the directory as a whole and refuses to
// replace anything that is not an OCI layout.
func OCILayoutIndex(dir string, opts ...Option) IndexPublisher {
	return &ociLayout{dir: dir, opts: makeOptions(opts)}
}

func (p *ociLayout) PublishIndex(ctx context.Context, idx v1.ImageIndex, tags []name.Tag) ([]string, error) {
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	d, err := idx.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing index digest: %w", err)
	}
	outer := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: idx})
	if len(tags) > 0 {
		var adds []mutate.IndexAddendum
		seen := map[string]bool{}
		for _, t := range tags {
			if !seen[t.Name()] {
				seen[t.Name()] = true
				adds = append(adds, mutate.IndexAddendum{Add: idx, Descriptor: v1.Descriptor{
					Annotations: map[string]string{RefNameAnnotation: t.TagStr(), ContainerdNameAnnotation: t.Name()}}})
			}
		}
		outer = mutate.AppendManifests(empty.Index, adds...)
	}
	if outer, err = p.opts.withArtifacts(outer, nil); err != nil {
		return nil, err
	}
	if err := p.write(ctx, outer); err != nil {
		return nil, err
	}
	return refLines(p.dir, tags, d, shortRef), nil
}

// Check refuses a directory that is not a layout to replace.
func (p *ociLayout) Check() error { return checkLayoutTarget(p.dir, p.opts.force) }

// check refuses to start when ctx is done or dir is not a layout to replace.
func (p *ociLayout) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.Check()
}

// write replaces the layout directory with one whose index.json is idx.
func (p *ociLayout) write(ctx context.Context, idx v1.ImageIndex) error {
	p.opts.logf("writing OCI layout %s", p.dir)
	idx, ok := mutate.Annotations(idx, map[string]string{LayoutAnnotation: "1"}).(v1.ImageIndex)
	if !ok {
		return fmt.Errorf("writing OCI layout %s: annotating its index", p.dir)
	}
	err := atomicfile.ReplaceDir(p.dir, true, func(tmp string) error {
		reuseBlobs(p.dir, tmp, idx)
		if _, err := layout.Write(tmp, idx); err != nil {
			return err
		}
		// Interrupted while writing: the old layout stays.
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("writing OCI layout %s: %w", p.dir, err)
	}
	return nil
}

// RegistryIndex pushes idx to the registry of each tag: every platform's
// manifest (and its blobs) first, then the index that names them.
func RegistryIndex(opts ...Option) IndexPublisher {
	return &registryPub{opts: makeOptions(opts)}
}

func (p *registryPub) PublishIndex(ctx context.Context, idx v1.ImageIndex, tags []name.Tag) ([]string, error) {
	if len(tags) == 0 {
		return nil, fmt.Errorf("pushing to a registry needs at least one tag (registry/repo:tag); give a tag")
	}
	d, err := idx.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing index digest: %w", err)
	}
	var lines []string
	for _, t := range tags {
		p.opts.logf("pushing %s (image index)", t.Name())
		c := &countingTransport{next: p.opts.transport}
		if c.next == nil {
			c.next = remote.DefaultTransport
		}
		err := remote.WriteIndex(t, idx, remote.WithContext(ctx), remote.WithAuthFromKeychain(p.opts.keychain), remote.WithTransport(c))
		if err == nil {
			err = p.opts.pushArtifacts(ctx, nil, t, remote.WithAuthFromKeychain(p.opts.keychain), remote.WithTransport(c.next))
		}
		if err != nil {
			return lines, pushError(t, err)
		}
		p.opts.logf("pushed %s: %d blobs uploaded, %d mounted, %d already present",
			t.Name(), c.uploaded.Load(), c.mounted.Load(), c.present.Load())
		lines = append(lines, t.Name()+"@"+d.String())
	}
	return lines, nil
}

// refLines is one "<ref>@<digest>" line per tag, or dest's when untagged.
func refLines(dest string, tags []name.Tag, d v1.Hash, ref func(name.Tag) string) []string {
	if len(tags) == 0 {
		return []string{dest + "@" + d.String()}
	}
	lines := make([]string, 0, len(tags))
	for _, t := range tags {
		lines = append(lines, ref(t)+"@"+d.String())
	}
	return lines
}

// OnePlatform publishes the image of one platform of an index through p:
// for sinks that hold single images (the Docker daemon, a docker-archive).
func OnePlatform(p Publisher, platform v1.Platform) IndexPublisher {
	return onePlatform{p, platform}
}

type onePlatform struct {
	pub      Publisher
	platform v1.Platform
}

// Check checks the sink the one platform goes to.
func (o onePlatform) Check() error { return checkAll([]Publisher{o.pub}) }

func (o onePlatform) PublishIndex(ctx context.Context, idx v1.ImageIndex, tags []name.Tag) ([]string, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading the image index: %w", err)
	}
	var have []string
	for _, d := range m.Manifests {
		if d.Platform == nil {
			continue
		}
		if d.Platform.String() == o.platform.String() {
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, fmt.Errorf("reading the %s image: %w", o.platform, err)
			}
			return o.pub.Publish(ctx, img, tags)
		}
		have = append(have, d.Platform.String())
	}
	return nil, fmt.Errorf("the index has no %s image (it has %v)", o.platform, have)
}

// MultiIndex publishes to every publisher in order, stopping at the first
// error, like Multi.
func MultiIndex(pubs ...IndexPublisher) IndexPublisher { return multiIndex(pubs) }

type multiIndex []IndexPublisher

// Check checks every sink.
func (m multiIndex) Check() error { return checkAll(m) }

func (m multiIndex) PublishIndex(ctx context.Context, idx v1.ImageIndex, tags []name.Tag) ([]string, error) {
	if err := checkAll(m); err != nil {
		return nil, err
	}
	var lines []string
	for _, p := range m {
		done := timing.Startf(ctx, "output %s", sinkName(p))
		out, err := p.PublishIndex(ctx, idx, tags)
		done()
		lines = append(lines, out...)
		if err != nil {
			return lines, err
		}
	}
	return lines, nil
}
