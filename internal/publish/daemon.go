package publish

import (
	"context"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/daemon"

	"github.com/berth-dev/berth/internal/image"
)

// Daemon loads the image into the Docker daemon named by the environment
// (DOCKER_HOST, default the local socket) under every tag. The image is
// streamed once; further tags of an already loaded image are only tags. The
// daemon holds images, not an index: of several platforms it takes the one
// WithPlatform names.
func Daemon(opts ...Option) Sink {
	return &daemonPub{opts: makeOptions(opts)}
}

type daemonPub struct {
	opts options
}

// Check has nothing to check before the build: the daemon is asked when
// the image is ready.
func (p *daemonPub) Check() error { return nil }

func (p *daemonPub) Publish(ctx context.Context, art *image.Artifact, tags []name.Tag) ([]Published, error) {
	if len(tags) == 0 {
		return nil, fmt.Errorf("loading into the Docker daemon needs at least one tag; give a tag")
	}
	img, platform, err := p.opts.one(art, "the Docker daemon")
	if err != nil {
		return nil, err
	}
	d, err := img.Image.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing image digest: %w", err)
	}
	var out []Published
	for _, t := range tags {
		p.opts.logf("loading %s into the Docker daemon", shortRef(t))
		if _, err := daemon.Write(t, img.Image, daemon.WithContext(ctx)); err != nil {
			return out, fmt.Errorf("loading %s into the Docker daemon (DOCKER_HOST=%s): %w; is dockerd running? try `docker info`", shortRef(t), dockerHost(), err)
		}
		out = append(out, Published{Ref: shortRef(t), Digest: d, Output: "daemon", Platform: platform})
	}
	return publishVariants(ctx, p, art, tags, out)
}

func dockerHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return "unset, so unix:///var/run/docker.sock"
}
