package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/recipe"
)

func init() { subcommands = append(subcommands, newCookCmd) }

type cookOptions struct {
	cargoFlags
	recipePath string
	dir        string
	platform   string
	overwrite  bool
	seedDir    string
}

const cookLong = `Write the recipe's skeleton (manifests, lockfile, stub targets) into the
current directory, build the dependencies with the given flags, then remove
every local unit from the target directory, so that after the real sources are
copied in, ` + "`cargo build`" + ` with the same flags compiles the local crates and
nothing else, whatever the copied files' mtimes.

cook takes cargo's flags as build and stage do; like cargo, it builds with
the dev profile unless --profile or --release says otherwise.

With --target-cache DIR, cook first copies into the target directory the
third-party units an earlier cook kept in DIR (a BuildKit cache mount in the
generated Dockerfile), so that only what changed compiles, and after
building makes the target directory's units DIR's new seed. DIR is read as
untrusted input: regular files and directories only, every file checked
against the seed's manifest; a missing or broken seed is a cold build.

cook belongs in an empty build directory: it refuses to replace a file whose
content differs from the skeleton's (--overwrite allows it) and never writes
through a symbolic link.`

func newCookCmd(s *streams) *cobra.Command {
	o := &cookOptions{}
	cmd := &cobra.Command{
		Use:   "cook",
		Short: "Build a recipe's dependencies, leaving every local crate to be rebuilt",
		Long:  cookLong,
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runCook(cmd.Context(), s, o, changedFlags(cmd)) },
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.StringVar(&o.recipePath, "recipe-path", "recipe.json", "the recipe written by `cargo berth prepare`")
	f.StringVar(&o.dir, "dir", ".", "directory to cook in (the builder's WORKDIR)")
	f.BoolVar(&o.overwrite, "overwrite", false, "replace files in --dir whose content differs from the skeleton's (they become stubs)")
	f.StringVar(&o.seedDir, "target-cache", "", "seed the target directory with the compiled dependencies kept in `DIR` (a BuildKit cache mount), and keep this cook's there")
	o.cargoFlags.add(f, "", "link the target with glibc's +crt-static, as `stage --static` does (needs one --target)")
	o.addRunFlags(f)
	b := &o.CargoFlags
	f.BoolVar(&b.Workspace, "workspace", false, "build every member's dependencies")
	f.BoolVar(&b.Tests, "tests", false, "also build the tests' dependencies")
	f.BoolVar(&b.Benches, "benches", false, "also build the benches' dependencies")
	f.BoolVar(&b.Examples, "examples", false, "also build the examples' dependencies")
	f.BoolVar(&b.AllTargets, "all-targets", false, "build the dependencies of every target")
	f.BoolVar(&b.Check, "check", false, "run `cargo check` instead of `cargo build`")
	f.StringVar(&o.platform, "platform", "", "cross-compile for this platform, choosing the target and linker as `stage --platform` does")
	return cmd
}

func runCook(ctx context.Context, s *streams, o *cookOptions, changed map[string]bool) error {
	if err := o.resolveProfile(changed); err != nil {
		return err
	}
	f := o.CargoFlags
	f.Profile, f.Bins, f.Static, f.Zig = o.profile, o.bins, o.static, o.zig
	f, env, err := pipeline.CookFlags(ctx, f, o.platform, o.dir, s.Err)
	if err != nil {
		return err
	}
	r, err := recipe.ReadFile(o.recipePath)
	if err != nil {
		return err
	}
	res, err := recipe.Cook(ctx, r, recipe.CookOptions{
		Dir: o.dir, Flags: f, Log: s.Err, Env: pipeline.CookEnv(env), Overwrite: o.overwrite, SeedDir: o.seedDir,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "cooked %s: dependencies built in %s, %d local units invalidated\n", o.recipePath, res.TargetDir, len(res.Invalidated))
	return nil
}
