package publish

import (
	"context"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/daemon"
)

// Daemon loads the image into the Docker daemon named by the environment
// (DOCKER_HOST, default the local socket) under every tag. The image is
// streamed once; further tags of an already loaded image are only tags.
func Daemon(opts ...Option) Publisher {
	return &daemonPub{opts: makeOptions(opts)}
}

type daemonPub struct {
	opts options
}

func (p *daemonPub) Publish(ctx context.Context, img v1.Image, tags []name.Tag) ([]string, error) {
	if len(tags) == 0 {
		return nil, fmt.Errorf("loading into the Docker daemon needs at least one tag; give a tag")
	}
	d, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing image digest: %w", err)
	}
	var lines []string
	for _, t := range tags {
		p.opts.logf("loading %s into the Docker daemon", shortRef(t))
		if _, err := daemon.Write(t, img, daemon.WithContext(ctx)); err != nil {
			return lines, fmt.Errorf("loading %s into the Docker daemon (DOCKER_HOST=%s): %w; is dockerd running? try `docker info`", shortRef(t), dockerHost(), err)
		}
		lines = append(lines, shortRef(t)+"@"+d.String())
	}
	return lines, nil
}

func dockerHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return "unset, so unix:///var/run/docker.sock"
}
