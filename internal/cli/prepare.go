package cli

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/internal/recipe"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newPrepareCmd) }

type prepareOptions struct {
	manifestPath string
	recipePath   string
	explain      string
	assume       []string
}

func newPrepareCmd(s *streams) *cobra.Command {
	opts := &prepareOptions{}
	cmd := &cobra.Command{
		Use:   "prepare",
		Short: "Write a dependency recipe (masked manifests, lockfile, targets) for `cargo berth cook`",
		Long: `Write a dependency recipe of the workspace: every local manifest with local
versions masked, Cargo.lock, cargo config and toolchain files, and every
target. Run it in the Docker build context; it needs no cargo and no network.

A Dockerfile planner that copies only the manifests (what cargo berth
dockerfile writes) names the target files it left out with --assume-file:
prepare finds targets by file name and never reads them.

With --explain OLD.json nothing is written: berth prints why the recipe it
would write differs from OLD.json (which file, which key).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPrepare(cmd.Context(), s, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.manifestPath, "manifest-path", "", "path to the workspace's Cargo.toml (default ./Cargo.toml)")
	f.StringVar(&opts.recipePath, "recipe-path", "recipe.json", "where to write the recipe")
	f.StringVar(&opts.explain, "explain", "", "print why the recipe differs from this older recipe, and write nothing")
	f.StringArrayVar(&opts.assume, "assume-file", nil, "take this target file as present though it is not on disk (repeatable)")
	return cmd
}

func runPrepare(ctx context.Context, s *streams, opts *prepareOptions) error {
	if opts.recipePath == "" {
		return usagef("--recipe-path must not be empty")
	}
	popts := recipe.PrepareOptions{ManifestPath: opts.manifestPath, Assume: opts.assume}
	if opts.explain != "" {
		lines, err := recipe.ExplainFile(opts.explain, popts)
		if err != nil {
			return plannerHint(opts, err)
		}
		for _, line := range lines {
			fmt.Fprintln(s.Out, line)
		}
		return nil
	}
	r, err := recipe.Prepare(popts)
	if err != nil {
		return plannerHint(opts, err)
	}
	if err := r.WriteFile(ctx, opts.recipePath); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "wrote %s: %d packages, %d targets, %d files\n", opts.recipePath, len(r.Packages), len(r.Targets), len(r.Files))
	return nil
}

// plannerHint adds, for a planner that holds only the files its Dockerfile
// lists (--assume-file), what to do when the project outgrew that list.
func plannerHint(opts *prepareOptions, err error) error {
	if len(opts.assume) == 0 {
		return err
	}
	return fmt.Errorf("%w\n(this planner holds only the files its Dockerfile lists: if the project gained or lost a crate or a file since the Dockerfile was written, run `cargo berth dockerfile --force`, or add the COPY line to its planner stage)", err)
}
