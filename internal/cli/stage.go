package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/recipe"
	"github.com/berth-dev/berth/internal/rootfs"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newStageCmd) }

// stageOptions are the flags of `cargo berth stage`.
type stageOptions struct {
	buildOptions
	out        string
	appOut     string
	recipePath string
	platform   string
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
	f.StringVar(&o.recipePath, "recipe-path", "", "the recipe cook used: warn when the project no longer matches it")
	o.addCargoFlags(f)
	f.StringVar(&o.base, "base", "auto", "auto (binary, libraries and system files) or scratch (binary only)")
	o.addRuntimeFlags(f)
	f.StringVar(&o.platform, "platform", "", "cross-compile for this platform (linux/arm64, ...; in a Dockerfile: \"$TARGETPLATFORM\"); cook must get the same")
	o.supply.add(f)
	return cmd
}

func runStage(ctx context.Context, s *streams, o *stageOptions, changed map[string]bool) error {
	if o.out == "" {
		return usagef("--out DIR is required: the directory to write the root filesystem to")
	}
	if o.appOut != "" && filepath.Clean(o.appOut) == filepath.Clean(o.out) {
		return usagef("--app-out must differ from --out (leave it out to stage everything in --out)")
	}
	if o.recipePath != "" {
		if _, err := os.Stat(o.recipePath); err != nil {
			return usagef("--recipe-path %s: %v", o.recipePath, errors.Unwrap(err))
		}
	}
	if err := o.supply.check(); err != nil {
		return err
	}
	// The outputs are checked before cargo runs: a refused stage changes
	// nothing, not even the target directory.
	for _, d := range nonEmpty(o.out, o.appOut) {
		if err := rootfs.CheckDir(d); err != nil {
			return err
		}
	}
	runner := &cargo.Runner{Stderr: s.Err}
	plan, err := o.plan(ctx, runner, changed)
	if err != nil {
		return err
	}
	stale := o.compareRecipe()
	binary, target, crates, err := o.compile(ctx, runner, plan, s)
	if w := <-stale; w != "" {
		fmt.Fprintf(s.Err, "warning: %s\n", w)
	}
	if err != nil {
		return err
	}
	opts := pipeline.Options{
		Binary: binary, Name: plan.sel.Bin, Base: *plan.cfg.Base, Includes: plan.cfg.Include, Root: o.sysroot,
		LibraryPaths: o.libraryPaths,
	}
	if opts.Root == "" && target.Root != "" {
		opts.Root, opts.SystemRoot = target.Root, "/"
	}
	c, err := pipeline.Stage(ctx, opts, o.out, o.appOut)
	if err != nil {
		return err
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(s.Err, "warning: %s\n", w)
	}
	if plan.supply.out != "" {
		if _, err := plan.supply.document(c, crates, plan.epoch, plan.supply.out); err != nil {
			return err
		}
	}
	fmt.Fprintf(s.Err, "staged %s and %d runtime files in %s\n", c.Entrypoint, c.Runtime.Len(), strings.Join(nonEmpty(o.out, o.appOut), " and "))
	fmt.Fprintln(s.Out, c.Entrypoint)
	return nil
}

// compareRecipe compares, while cargo builds, the project with the recipe
// cook used (--recipe-path), and sends a warning when they differ: a
// Dockerfile planner that copies a stale list of files cooks too little, so
// dependencies compile in this step on every build.
func (o *stageOptions) compareRecipe() <-chan string {
	ch := make(chan string, 1)
	if o.recipePath == "" {
		ch <- ""
		return ch
	}
	go func() {
		lines, err := recipe.Stale(o.recipePath, recipe.PrepareOptions{ManifestPath: o.manifestPath})
		switch {
		case err != nil:
			ch <- fmt.Sprintf("cannot compare the project with the recipe %s: %v", o.recipePath, err)
		case len(lines) == 0:
			ch <- ""
		default:
			const most = 8
			if len(lines) > most {
				lines = append(lines[:most], fmt.Sprintf("and %d more", len(lines)-most))
			}
			ch <- fmt.Sprintf("the project no longer matches the recipe the dependencies were cooked from (%s):\n  %s\nupdate the Dockerfile's planner stage (cargo berth dockerfile --force): until then, dependencies the recipe misses compile in this step on every build",
				o.recipePath, strings.Join(lines, "\n  "))
		}
	}()
	return ch
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

// compile runs cargo for stage's one target unless a prebuilt binary was
// given; the target says where its libraries are.
func (o *stageOptions) compile(ctx context.Context, runner *cargo.Runner, p *buildPlan, s *streams) (string, pipeline.Target, []audit.Crate, error) {
	c := o.compiled(runner, p, s.Err)
	if o.binary != "" {
		exe, crates, err := c.Compile(ctx, pipeline.Target{}, o.binary)
		return exe, pipeline.Target{}, crates, err
	}
	t, err := planOne(ctx, runner, o.platform, targetRequest(nil, p.target, c.StaticFrom != "", cargoDir(o.manifestPath), o.sysroot, p.zig, p.glibc))
	if err != nil {
		return "", t, nil, err
	}
	if t.Note != "" {
		fmt.Fprintln(s.Err, t.Note)
	}
	exe, crates, err := c.Compile(ctx, t, "")
	return exe, t, crates, err
}

// planOne plans the one target of stage and cook: platform ("" for the
// host or --target) added to req.
func planOne(ctx context.Context, runner *cargo.Runner, platform string, req pipeline.TargetRequest) (pipeline.Target, error) {
	if platform != "" {
		ps, err := pipeline.ParsePlatforms([]string{platform})
		if err != nil || len(ps) != 1 {
			return pipeline.Target{}, usagef("--platform %q: want one platform such as linux/arm64 (%v)", platform, err)
		}
		req.Platforms = ps
	}
	targets, err := pipeline.PlanTargets(ctx, runner, req)
	if err != nil {
		return pipeline.Target{}, err
	}
	return targets[0], nil
}
