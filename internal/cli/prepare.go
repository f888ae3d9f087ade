package cli

import (
	"fmt"

	"github.com/berth-dev/berth/internal/recipe"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newPrepareCmd) }

type prepareOptions struct {
	manifestPath string
	recipePath   string
	explain      string
}

func newPrepareCmd(s *streams) *cobra.Command {
	opts := &prepareOptions{}
	cmd := &cobra.Command{
		Use:   "prepare",
		Short: "Write a dependency recipe (masked manifests, lockfile, targets) for `cargo berth cook`",
		Long: `Write a dependency recipe of the workspace: every local manifest with local
versions masked, Cargo.lock, cargo config and toolchain files, and every
target. Run it in the Docker build context; it needs no cargo and no network.

With --explain OLD.json nothing is written: berth prints why the recipe it
would write differs from OLD.json (which file, which key).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPrepare(s, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.manifestPath, "manifest-path", "", "path to the workspace's Cargo.toml (default ./Cargo.toml)")
	f.StringVar(&opts.recipePath, "recipe-path", "recipe.json", "where to write the recipe")
	f.StringVar(&opts.explain, "explain", "", "print why the recipe differs from this older recipe, and write nothing")
	return cmd
}

func runPrepare(s *streams, opts *prepareOptions) error {
	if opts.recipePath == "" {
		return usagef("--recipe-path must not be empty")
	}
	r, err := recipe.Prepare(recipe.PrepareOptions{ManifestPath: opts.manifestPath})
	if err != nil {
		return err
	}
	if opts.explain != "" {
		old, err := recipe.ReadFile(opts.explain)
		if err != nil {
			return err
		}
		for _, line := range recipe.Explain(old, r) {
			fmt.Fprintln(s.Out, line)
		}
		return nil
	}
	if err := r.WriteFile(opts.recipePath); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "wrote %s: %d packages, %d targets, %d files\n", opts.recipePath, len(r.Packages), len(r.Targets), len(r.Files))
	return nil
}
