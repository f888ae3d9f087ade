package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
	"github.com/berth-dev/berth/internal/yamlref"
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

// resolve loads the YAML, prepares every binary (an unknown one fails here,
// naming its file and line, before anything is built), builds and pushes
// each once, and returns the YAML with the references replaced.
func (o *resolveOptions) resolve(ctx context.Context, s *streams, changed map[string]bool) ([]byte, error) {
	files, refs, err := o.load(s.In)
	if err != nil {
		return nil, err
	}
	plans, err := o.prepare(ctx, s, changed, refs)
	if err != nil {
		return nil, err
	}
	sink, err := publish.Open(publish.Outputs{Push: true}, o.sinkOptions(s)...)
	if err != nil {
		return nil, err
	}
	images := map[string]string{}
	var lines []string
	for _, r := range refs {
		if images[r.Key()], err = buildAndPush(ctx, plans[r.Key()], sink); err != nil {
			return nil, fmt.Errorf("%s: %s%s: %w", r.Pos(), yamlref.Scheme, r.Key(), err)
		}
		lines = append(lines, images[r.Key()])
	}
	if err := o.writeImageRefs(ctx, lines); err != nil {
		return nil, err
	}
	return replaceAll(files, images)
}

// load reads every -f and returns the files and the first reference to
// each distinct binary, in order.
func (o *resolveOptions) load(stdin io.Reader) ([]*yamlref.File, []yamlref.Ref, error) {
	if len(o.files) == 0 {
		return nil, nil, usagef("give the YAML with -f FILE, -f DIR or -f - (stdin)")
	}
	if o.repo == "" {
		o.repo = os.Getenv("BERTH_REPO")
	}
	if o.repo == "" {
		return nil, nil, usagef("no repository: give --repo or set BERTH_REPO, e.g. ghcr.io/OWNER/REPO")
	}
	var files []*yamlref.File
	var refs []yamlref.Ref
	seen := map[string]bool{}
	for _, path := range o.files {
		got, err := yamlref.Load(path, stdin)
		if err != nil {
			return nil, nil, usageError{err}
		}
		for _, f := range got {
			for _, r := range f.Refs() {
				if !seen[r.Key()] {
					seen[r.Key()] = true
					refs = append(refs, r)
				}
			}
		}
		files = append(files, got...)
	}
	return files, refs, nil
}

// prepare makes one checked plan per binary; the first error names the
// reference's file and line.
func (o *resolveOptions) prepare(ctx context.Context, s *streams, changed map[string]bool, refs []yamlref.Ref) (map[string]*pipeline.Plan, error) {
	plans := map[string]*pipeline.Plan{}
	for _, r := range refs {
		req, err := o.request(s, changed)
		if err != nil {
			return nil, err
		}
		bin, tag := r.Bin, strings.TrimSuffix(o.repo, "/")+"/"+strings.ToLower(r.Bin)+":latest"
		req.Settings.Values.Bin, req.Settings.Values.Tags = &bin, []string{tag}
		if r.Package != "" {
			req.Cargo.Packages = []string{r.Package}
		}
		if plans[r.Key()], err = pipeline.Prepare(ctx, req); err != nil {
			return nil, fmt.Errorf("%s: %s%s: %w", r.Pos(), yamlref.Scheme, r.Key(), err)
		}
	}
	return plans, nil
}

// buildAndPush builds the plan and pushes it: <repo>/<name>@<digest>.
func buildAndPush(ctx context.Context, plan *pipeline.Plan, sink publish.Sink) (string, error) {
	art, err := plan.Build(ctx)
	if err != nil {
		return "", err
	}
	if _, err := sink.Publish(ctx, art, plan.Tags()); err != nil {
		return "", err
	}
	d, err := art.Digest()
	if err != nil {
		return "", err
	}
	return plan.Tags()[0].Context().Name() + "@" + d.String(), nil
}

func (o *resolveOptions) writeImageRefs(ctx context.Context, lines []string) error {
	if o.imageRefs == "" {
		return nil
	}
	return atomicfile.WriteFile(ctx, o.imageRefs, func(w io.Writer) error {
		for _, l := range lines {
			if _, err := fmt.Fprintln(w, l); err != nil {
				return err
			}
		}
		return nil
	})
}

// replaceAll is the files with their references replaced, as one stream.
func replaceAll(files []*yamlref.File, images map[string]string) ([]byte, error) {
	parts := make([][]byte, 0, len(files))
	for _, f := range files {
		out, err := f.Replace(images)
		if err != nil {
			return nil, err
		}
		parts = append(parts, out)
	}
	return yamlref.Join(parts), nil
}
