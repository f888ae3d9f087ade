package publish

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Outputs are where a build goes, as the command line names them.
type Outputs struct {
	Layout  string // an OCI layout directory
	Tarball string // a docker-archive file
	Load    bool   // the Docker daemon
	Push    bool   // the registry of each tag
	// DefaultLayout is the layout written when no output is named.
	DefaultLayout string
	// Platform is the image of an index that the daemon and a
	// docker-archive take.
	Platform v1.Platform
}

// Open makes the sinks of out, each once, and checks each once: a
// destination it would refuse fails here, before anything is built.
func Open(out Outputs, opts ...Option) (Sink, error) {
	opts = append(opts, WithPlatform(out.Platform))
	var sinks []Sink
	if out.Layout != "" {
		sinks = append(sinks, OCILayout(out.Layout, opts...))
	}
	if out.Tarball != "" {
		sinks = append(sinks, Tarball(out.Tarball, opts...))
	}
	if out.Load {
		sinks = append(sinks, Daemon(opts...))
	}
	if out.Push {
		sinks = append(sinks, Registry(opts...))
	}
	if len(sinks) == 0 {
		if out.DefaultLayout == "" {
			return nil, fmt.Errorf("no output: name an OCI layout, a tarball, --load or --push")
		}
		sinks = append(sinks, OCILayout(out.DefaultLayout, opts...))
	}
	m := Multi(sinks...)
	if err := m.Check(); err != nil {
		return nil, err
	}
	return m, nil
}
