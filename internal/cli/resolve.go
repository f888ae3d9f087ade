package cli

import (
	"context"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/internal/deploy"
)

func init() { subcommands = append(subcommands, newResolveCmd) }

// resolveOptions are the flags of `cargo berth resolve` (and apply): the
// YAML files, the repository, and the build's flags but those each
// reference decides (--bin, -p, --binary, -t).
type resolveOptions struct {
	buildOptions
	files     []string
	repo      string
	imageRefs string
}

// resolveDecides are the build flags a berth:// reference sets for itself.
var resolveDecides = map[string]bool{"bin": true, "package": true, "binary": true, "tag": true, "sbom-out": true}

func newResolveCmd(s *streams) *cobra.Command {
	o := &resolveOptions{}
	cmd := &cobra.Command{
		Use:   "resolve -f FILE|DIR|- [flags]",
		Short: "Build and push each berth:// binary a YAML file names, and print the YAML with image digests",
		Long: `Build and push each berth:// binary a YAML file names, and print the YAML with image digests.

References are berth://<bin> or berth://<package>/<bin>, as whole YAML values.
Each distinct binary is built once, with the build's flags and settings, and
pushed to <repo>/<bin>:latest; each reference becomes <repo>/<bin>@sha256:<digest>.
Every other byte of the YAML (comments, order, documents, quoting) is kept.
The repository is --repo, else BERTH_REPO.`,
		Example: `  BERTH_REPO=registry.example.com/team cargo berth resolve -f k8s/ > deploy.yaml
  cargo berth resolve -f deploy.yaml --repo 127.0.0.1:5000/dev --platform linux/amd64,linux/arm64`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := o.resolve(cmd.Context(), s, changedFlags(cmd))
			if err == nil {
				_, err = s.Out.Write(out)
			}
			return err
		},
	}
	o.add(cmd.Flags())
	return cmd
}

// add registers resolve's own flags, then the build's that apply.
func (o *resolveOptions) add(f *pflag.FlagSet) {
	f.SortFlags = false
	f.StringArrayVarP(&o.files, "filename", "f", nil, "YAML file, directory of .yaml/.yml files, or - for stdin (repeatable)")
	f.StringVar(&o.repo, "repo", "", "repository the images go to, as <repo>/<bin> (default: $BERTH_REPO)")
	f.StringVar(&o.imageRefs, "image-refs", "", "also write the image references built, one per line, to this file")
	build := pflag.NewFlagSet("build", pflag.ContinueOnError)
	build.SortFlags = false
	o.addCargoFlags(build)
	o.addPlatformFlags(build)
	o.settingFlags.add(build)
	o.addRuntimeFlags(build)
	o.addSupplyFlags(build)
	build.VisitAll(func(fl *pflag.Flag) {
		if !resolveDecides[fl.Name] {
			f.AddFlag(fl)
		}
	})
}

// resolve maps the flags to a deploy.Request and resolves it.
func (o *resolveOptions) resolve(ctx context.Context, s *streams, changed map[string]bool) ([]byte, error) {
	build, err := o.request(s, changed)
	if err != nil {
		return nil, err
	}
	if o.repo == "" {
		o.repo = os.Getenv("BERTH_REPO")
	}
	return deploy.Resolve(ctx, deploy.Request{
		Files: o.files, Stdin: s.In, Repo: o.repo, ImageRefs: o.imageRefs,
		Build: build, Sink: o.sinkOptions(s),
	})
}
