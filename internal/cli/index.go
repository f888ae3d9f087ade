package cli

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/publish"
)

func init() { subcommands = append(subcommands, newIndexCmd) }

type indexOptions struct {
	tags []string
	json bool
}

func newIndexCmd(s *streams) *cobra.Command {
	o := &indexOptions{}
	cmd := &cobra.Command{
		Use:   "index -t REF IMAGE@DIGEST...",
		Short: "Merge images pushed by digest (one per platform, from separate runners) into one index",
		Long: `Merge images pushed by digest (one per platform, from separate runners) into one index.

Each IMAGE@DIGEST is one platform's image in a registry; its platform comes
from its config. The OCI index naming them, in the order given, is pushed to
every -t. No layer is uploaded: images in the tag's repository are only
checked, others in the same registry are mounted, with their referrers (the
SBOM). The same images in the same order give the same index digest.`,
		Example: `  # on each runner: cargo berth build --push -t ghcr.io/team/api:run-42-$(uname -m) --json
  cargo berth index -t ghcr.io/team/api:1.4.2 ghcr.io/team/api@sha256:1111... ghcr.io/team/api@sha256:2222...`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), s, args)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.tags, "tag", "t", nil, "where the index goes, registry/repo:tag (repeatable)")
	f.BoolVar(&o.json, "json", false, "print one JSON document with each ref and the index digest, for CI")
	return cmd
}

func (o *indexOptions) run(ctx context.Context, s *streams, args []string) error {
	sources, tags, err := o.parse(args)
	if err != nil {
		return err
	}
	published, err := publish.MergeIndex(ctx, sources, tags, publish.WithProgress(s.Err))
	return report(s, o.json, publish.NewReport(nil, published, err), err)
}

// parse reads the images, which must be digests (a tag could move between
// the runners' pushes and the merge), and the tags.
func (o *indexOptions) parse(args []string) ([]name.Digest, []name.Tag, error) {
	if len(args) == 0 {
		return nil, nil, usagef("give the images to merge, each as IMAGE@sha256:DIGEST")
	}
	if len(o.tags) == 0 {
		return nil, nil, usagef("give -t/--tag: where the index goes, e.g. -t registry.example.com/api:1.0")
	}
	var sources []name.Digest
	for _, a := range args {
		d, err := name.NewDigest(a)
		if err != nil {
			return nil, nil, usagef("%q is not IMAGE@sha256:DIGEST (%v): give each platform's image by the digest its push printed", a, err)
		}
		sources = append(sources, d)
	}
	var tags []name.Tag
	for _, t := range o.tags {
		tag, err := name.NewTag(t)
		if err != nil {
			return nil, nil, usagef("-t %q is not a valid image reference: %v", t, err)
		}
		tags = append(tags, tag)
	}
	return sources, tags, nil
}
