package cli

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/internal/build"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newStageCmd) }

// stageOptions are the flags of `cargo berth stage`.
type stageOptions struct {
	buildOptions
	out string
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
	o.addCargoFlags(f)
	f.StringVar(&o.base, "base", "auto", "auto (binary, libraries and system files) or scratch (binary only)")
	o.addRuntimeFlags(f)
	return cmd
}

func runStage(ctx context.Context, s *streams, o *stageOptions, changed map[string]bool) error {
	if o.out == "" {
		return usagef("--out DIR is required: the directory to write the root filesystem to")
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
	}, o.out)
	if err != nil {
		return err
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(s.Err, "warning: %s\n", w)
	}
	fmt.Fprintf(s.Err, "staged %s and %d runtime files in %s\n", c.Entrypoint, c.Runtime.Len(), o.out)
	fmt.Fprintln(s.Out, c.Entrypoint)
	return nil
}
