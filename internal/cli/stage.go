package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/build"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newStageCmd) }

// stageOptions are the flags of `cargo berth stage`.
type stageOptions struct {
	buildOptions
	out    string
	appOut string
}

func newStageCmd(s *streams) *cobra.Command {
	o := &stageOptions{}
	cmd := &cobra.Command{
		Use:   "stage --out DIR [flags]",
		Short: "Build the binary and write it with its exact runtime files into a directory",
		Long: `Build the binary and write it, with exactly the runtime files it needs, into
a new directory: the root filesystem of its image. Inside a Dockerfile's builder
stage this lets a FROM scratch runtime stage COPY the result, with libraries
taken from the very system the binary was linked on.

The binary lands in /usr/local/bin/<name>; stdout gets that path.`,
		Example: `  cargo berth stage --bin api --out /berth/rootfs
  # in the runtime stage:
  #   COPY --from=builder /berth/rootfs/ /
  #   ENTRYPOINT ["/usr/local/bin/api"]`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStage(cmd.Context(), s, o, changedFlags(cmd))
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.StringVar(&o.out, "out", "", "directory to create (must not exist or be empty)")
	f.StringVar(&o.appOut, "app-out", "", "put the binary in this separate directory, for an image layer of its own")
	o.addCargoFlags(f)
	f.StringVar(&o.base, "base", "auto", "auto (binary, libraries and system files) or scratch (binary only)")
	o.addRuntimeFlags(f)
	return cmd
}

func runStage(ctx context.Context, s *streams, o *stageOptions, changed map[string]bool) error {
	if o.out == "" {
		return usagef("--out DIR is required: the directory to write the root filesystem to")
	}
	if o.appOut != "" && filepath.Clean(o.appOut) == filepath.Clean(o.out) {
		return usagef("--app-out must differ from --out (leave it out to stage everything in --out)")
	}
	runner := &cargo.Runner{Stderr: s.Err}
	plan, err := o.plan(ctx, runner, changed)
	if err != nil {
		return err
	}
	binary, err := o.compile(ctx, runner, plan)
	if err != nil {
		return err
	}
	c, err := build.Stage(ctx, build.Options{
		Binary: binary, Name: plan.sel.Bin, Base: *plan.cfg.Base, Includes: plan.cfg.Include, Root: o.sysroot,
		LibraryPaths: o.libraryPaths,
	}, o.out, o.appOut)
	if err != nil {
		return err
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(s.Err, "warning: %s\n", w)
	}
	fmt.Fprintf(s.Err, "staged %s and %d runtime files in %s\n", c.Entrypoint, c.Runtime.Len(), strings.Join(nonEmpty(o.out, o.appOut), " and "))
	fmt.Fprintln(s.Out, c.Entrypoint)
	return nil
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
