package publish

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/berth-dev/berth/internal/image"
)

// variantTags are tags with suffix appended to each (api:1.2-debug),
// spelled as the user spelled them. The pipeline checked that each is
// valid; one that is not keeps its repository's full name.
func variantTags(tags []name.Tag, suffix string) []name.Tag {
	out := make([]name.Tag, 0, len(tags))
	for _, t := range tags {
		v, err := name.NewTag(shortRef(t) + suffix)
		if err != nil {
			v = t.Context().Tag(t.TagStr() + suffix)
		}
		out = append(out, v)
	}
	return out
}

// publishVariants publishes each variant of art with s under the tags with
// its suffix, for sinks that take one artifact at a time (the daemon, a
// registry); out is what was published before, returned with theirs.
func publishVariants(ctx context.Context, s Sink, art *image.Artifact, tags []name.Tag, out []Published) ([]Published, error) {
	for _, v := range art.Variants {
		got, err := s.Publish(ctx, v.Artifact, variantTags(tags, v.Suffix))
		out = append(out, got...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
