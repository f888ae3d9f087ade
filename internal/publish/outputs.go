package publish

import (
	"context"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/cachedir"
	"github.com/berth-dev/berth/internal/sign"
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
	// Sign signs what is pushed (each image, the index, their
	// attachments), with the cosign private key SignKey, or keyless
	// when SignKey is "".
	Sign    bool
	SignKey string
}

// Open makes the sinks of out, each once, and checks each once: a
// destination it would refuse fails here, before anything is built.
func Open(out Outputs, opts ...Option) (Sink, error) {
	opts = append(opts, WithPlatform(out.Platform))
	signOpt, err := out.signer()
	if err != nil {
		return nil, err
	}
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
		sinks = append(sinks, Registry(append(opts, signOpt...)...))
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

// signer loads the signing key (or checks for an OIDC token), so that
// signing fails before anything is built; the option gives the signer to
// the registry sink, where images are named by digest in a repository.
func (out Outputs) signer() ([]Option, error) {
	if !out.Sign {
		if out.SignKey != "" {
			return nil, fmt.Errorf("--key is the signing key of --sign: add --sign, or drop --key")
		}
		return nil, nil
	}
	if !out.Push {
		return nil, fmt.Errorf("--sign signs what is pushed to a registry (a signature names the image by digest in a repository): add --push and a tag")
	}
	// The cache remembers the key's public half, so that pushing the same
	// image again finds its signatures without decrypting the key. A cache
	// directory that is refused is the build's error, reported there.
	cache, _ := cachedir.Resolve(os.Getenv)
	s, err := sign.New(context.Background(), sign.Options{Key: out.SignKey, KeyCache: cache})
	if err != nil {
		return nil, err
	}
	return []Option{func(o *options) { o.signer = s }}, nil
}
