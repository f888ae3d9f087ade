package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berth-dev/berth/internal/image"
)

// pushReferrers pushes the documents attached to the artifact's images by
// digest to t's repository; ggcr updates the referrers tag when the
// registry has no referrers API.
func (p *registryPub) pushReferrers(ctx context.Context, art *image.Artifact, t name.Tag, ro ...remote.Option) error {
	referrers, err := art.Referrers()
	if err != nil {
		return err
	}
	for _, r := range referrers {
		d, err := r.Digest()
		if err != nil {
			return err
		}
		ref := t.Context().Digest(d.String())
		if err := remote.Write(ref, r, append(ro, remote.WithContext(ctx))...); err != nil {
			return fmt.Errorf("pushing the artifact %s: %w", ref.Name(), err)
		}
		p.opts.logf("pushed %s (artifact about %s)", ref.Name(), t.Name())
	}
	return nil
}
