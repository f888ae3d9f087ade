package cli

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/internal/recipe"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newPrepareCmd) }

type prepareOptions struct {
	cargoFlags
	recipePath string
	depsPath   string
	explain    string
	assume     []string
}

const prepareLong = `Write a dependency recipe of the workspace: every local manifest with local
versions and the fields no dependency sees (description, authors, ...)
masked, Cargo.lock, cargo config and toolchain files, and every target. Run it
in the Docker build context; it needs no cargo and no network.

With --bin or -p the recipe holds only the members and Cargo.lock entries
that binary needs: editing another member leaves it unchanged. With
--deps-recipe-path prepare also writes the recipe of the third-party
dependencies alone (registry and git crates), which cook builds as a first
layer that version bumps, new path dependencies between members and other
manifest edits leave cached; give it the final build's feature flags.

A Dockerfile planner that copies only the manifests (what cargo berth
dockerfile writes) names the target files it left out with --assume-file:
prepare finds targets by file name and never reads them.

With --explain OLD.json nothing is written: berth prints why the recipe it
would write differs from OLD.json (which file, which key) and which layer
that invalidates.`

func newPrepareCmd(s *streams) *cobra.Command {
	opts := &prepareOptions{}
	cmd := &cobra.Command{
		Use:   "prepare",
		Short: "Write a dependency recipe (masked manifests, lockfile, targets) for `cargo berth cook`",
		Long:  prepareLong,
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runPrepare(cmd.Context(), s, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.ManifestPath, "manifest-path", "", "path to the workspace's Cargo.toml (default ./Cargo.toml)")
	f.StringVar(&opts.recipePath, "recipe-path", "recipe.json", "where to write the recipe")
	f.StringVar(&opts.depsPath, "deps-recipe-path", "", "also write the recipe of the third-party dependencies alone here, for a first cook layer")
	f.StringVar(&opts.explain, "explain", "", "print why the recipe differs from this older recipe, and which layer that invalidates; write nothing")
	f.StringArrayVar(&opts.assume, "assume-file", nil, "take this target file as present though it is not on disk (repeatable)")
	opts.addSelect(f)
	opts.addFeatures(f)
	return cmd
}

func runPrepare(ctx context.Context, s *streams, opts *prepareOptions) error {
	popts, err := opts.prepareOptions()
	if err != nil {
		return err
	}
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
	if opts.depsPath == "" {
		return nil
	}
	d, err := recipe.Dependencies(r)
	if err != nil {
		return err
	}
	if err := d.WriteFile(ctx, opts.depsPath); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "wrote %s: the third-party dependencies alone\n", opts.depsPath)
	return nil
}

// prepareOptions checks the flags and turns them into recipe.PrepareOptions.
func (opts *prepareOptions) prepareOptions() (recipe.PrepareOptions, error) {
	switch {
	case opts.recipePath == "":
		return recipe.PrepareOptions{}, usagef("--recipe-path must not be empty")
	case len(opts.Packages) > 1 || len(opts.bins) > 1:
		return recipe.PrepareOptions{}, usagef("a recipe is trimmed to one binary: give -p and --bin at most once")
	case opts.depsPath != "" && opts.depsPath == opts.recipePath:
		return recipe.PrepareOptions{}, usagef("--deps-recipe-path and --recipe-path name the same file %s; give two files", opts.depsPath)
	}
	sel := recipe.Selection{Features: opts.Features, NoDefaultFeatures: opts.NoDefaultFeatures, AllFeatures: opts.AllFeatures}
	if len(opts.Packages) == 1 {
		sel.Package = opts.Packages[0]
	}
	if len(opts.bins) == 1 {
		sel.Bin = opts.bins[0]
	}
	return recipe.PrepareOptions{ManifestPath: opts.ManifestPath, Assume: opts.assume, Select: sel}, nil
}

// plannerHint adds, for a planner that holds only the files its Dockerfile
// lists (--assume-file), what to do when the project outgrew that list.
func plannerHint(opts *prepareOptions, err error) error {
	if len(opts.assume) == 0 {
		return err
	}
	return fmt.Errorf("%w\n(this planner holds only the files its Dockerfile lists: if the project gained or lost a crate or a file since the Dockerfile was written, run `cargo berth dockerfile --force`, or add the COPY line to its planner stage)", err)
}
