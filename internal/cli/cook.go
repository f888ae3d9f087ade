package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/recipe"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newCookCmd) }

type cookOptions struct {
	recipePath string
	dir        string
	platform   string
	overwrite  bool
	flags      recipe.BuildFlags
}

func newCookCmd(s *streams) *cobra.Command {
	opts := &cookOptions{}
	cmd := &cobra.Command{
		Use:   "cook",
		Short: "Build a recipe's dependencies, leaving every local crate to be rebuilt",
		Long: `Write the recipe's skeleton (manifests, lockfile, stub targets) into the
current directory, build the dependencies with the given flags, then remove
every local unit from the target directory, so that after the real sources are
copied in, ` + "`cargo build`" + ` with the same flags compiles the local crates and
nothing else, whatever the copied files' mtimes.

cook belongs in an empty build directory: it refuses to replace a file whose
content differs from the skeleton's (--overwrite allows it) and never writes
through a symbolic link.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCook(cmd.Context(), s, opts) },
	}
	f := cmd.Flags()
	b := &opts.flags
	f.StringVar(&opts.recipePath, "recipe-path", "recipe.json", "the recipe written by `cargo berth prepare`")
	f.StringVar(&opts.dir, "dir", ".", "directory to cook in (the builder's WORKDIR)")
	f.BoolVar(&opts.overwrite, "overwrite", false, "replace files in --dir whose content differs from the skeleton's (they become stubs)")
	f.BoolVar(&b.Release, "release", false, "build with the release profile")
	f.StringVar(&b.Profile, "profile", "", "build with this profile")
	f.StringArrayVar(&b.Targets, "target", nil, "build for this target triple (repeatable)")
	f.StringArrayVarP(&b.Features, "features", "F", nil, "features to activate (repeatable)")
	f.BoolVar(&b.NoDefaultFeatures, "no-default-features", false, "do not activate the default features")
	f.BoolVar(&b.AllFeatures, "all-features", false, "activate all features")
	f.StringArrayVarP(&b.Packages, "package", "p", nil, "build only this package's dependencies (repeatable)")
	f.StringArrayVar(&b.Bins, "bin", nil, "build only this binary's dependencies (repeatable)")
	f.BoolVar(&b.Workspace, "workspace", false, "build every member's dependencies")
	f.BoolVar(&b.Locked, "locked", false, "require Cargo.lock to be up to date")
	f.BoolVar(&b.Frozen, "frozen", false, "require Cargo.lock up to date and no network")
	f.BoolVar(&b.Offline, "offline", false, "do not use the network")
	f.BoolVar(&b.Tests, "tests", false, "also build the tests' dependencies")
	f.BoolVar(&b.Benches, "benches", false, "also build the benches' dependencies")
	f.BoolVar(&b.Examples, "examples", false, "also build the examples' dependencies")
	f.BoolVar(&b.AllTargets, "all-targets", false, "build the dependencies of every target")
	f.BoolVar(&b.Check, "check", false, "run `cargo check` instead of `cargo build`")
	f.BoolVar(&b.Zig, "zig", false, "link the targets with zig (berth is its own `zig cc` wrapper), as `stage --zig` does (a --target may name a glibc version: aarch64-unknown-linux-gnu.2.17)")
	f.BoolVar(&b.Static, "static", false, "link the target with glibc's +crt-static, as `stage --static` does (needs one --target)")
	f.StringVar(&opts.platform, "platform", "", "cross-compile for this platform, choosing the target and linker as `stage --platform` does")
	return cmd
}

func runCook(ctx context.Context, s *streams, opts *cookOptions) error {
	if opts.flags.Release && opts.flags.Profile != "" && opts.flags.Profile != "release" {
		return usagef("--release and --profile %s conflict; pass one of them", opts.flags.Profile)
	}
	if err := opts.zig(ctx); err != nil {
		return err
	}
	runner := &cargo.Runner{Stderr: s.Err}
	if opts.platform != "" {
		if err := opts.forPlatform(ctx, s, runner); err != nil {
			return err
		}
	} else if err := opts.zigTargets(ctx, s, runner); err != nil {
		return err
	}
	if opts.flags.Static && len(opts.flags.Targets) != 1 {
		return usagef("--static needs exactly one --target: the triple the final build links statically")
	}
	r, err := recipe.ReadFile(opts.recipePath)
	if err != nil {
		return err
	}
	res, err := recipe.Cook(ctx, r, recipe.CookOptions{
		Dir: opts.dir, Flags: opts.flags, Runner: runner, Overwrite: opts.overwrite,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "cooked %s: dependencies built in %s, %d local units invalidated\n", opts.recipePath, res.TargetDir, len(res.Invalidated))
	return nil
}

// forPlatform sets the target, static linking and linker of --platform, the
// way stage --platform chooses them, so that the dependencies cook builds
// are the ones stage's build uses.
func (opts *cookOptions) forPlatform(ctx context.Context, s *streams, runner *cargo.Runner) error {
	if len(opts.flags.Targets) > 0 {
		return usagef("--platform chooses the target; leave out --target")
	}
	t, err := planOne(ctx, runner, opts.platform, targetRequest(nil, "", opts.flags.Static, opts.dir, "", opts.flags.Zig, opts.flags.Glibc))
	if err != nil {
		return err
	}
	if t.Note != "" {
		fmt.Fprintln(s.Err, t.Note)
	}
	if t.Triple != "" {
		opts.flags.Targets = []string{t.Triple}
	}
	opts.flags.Static = t.Static
	if len(t.Env) > 0 {
		runner.Env = append(os.Environ(), t.Env...)
	}
	return nil
}
