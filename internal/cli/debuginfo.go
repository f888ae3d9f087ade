package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
)

func init() { subcommands = append(subcommands, newDebuginfoCmd) }

// debuginfoOptions are the flags of `cargo berth debuginfo`.
type debuginfoOptions struct {
	out string
}

func newDebuginfoCmd(s *streams) *cobra.Command {
	o := &debuginfoOptions{}
	cmd := &cobra.Command{
		Use:   "debuginfo IMAGE [-o DIR]",
		Short: "Fetch the debug files attached to an image built with --split-debuginfo",
		Long: `Fetch the debug files attached to an image built with --split-debuginfo, from
an OCI layout (oci:DIR) or a registry, and write each to
DIR/.build-id/xx/yyyy.debug, where gdb's debug-file-directory and debuginfod
look. Each file's place is its own build-id, read from the file.`,
		Example: `  cargo berth debuginfo registry.example.com/api:1.2 -o debug
  cargo berth debuginfo oci:target/berth/api -o debug
  gdb -iex 'set debug-file-directory debug' ./api core`,
		Args: oneImage,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDebuginfo(cmd.Context(), s, o, args[0])
		},
	}
	cmd.Flags().StringVarP(&o.out, "output", "o", ".", "directory to write .build-id/xx/yyyy.debug under")
	return cmd
}

// oneImage takes exactly one image reference, as a usage error (exit 2).
func oneImage(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("%s takes one image, oci:DIR or a reference; got %d arguments", cmd.CommandPath(), len(args))
	}
	return nil
}

// runDebuginfo fetches the debug files of ref and prints where each went.
func runDebuginfo(ctx context.Context, s *streams, o *debuginfoOptions, ref string) error {
	files, err := publish.DebugFiles(ctx, ref, publish.WithProgress(s.Err))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no debug file is attached to %s: build it with --split-debuginfo", ref)
	}
	for _, f := range files {
		p, err := pipeline.SaveDebugFile(ctx, o.out, f.BuildID, f.Data)
		if err != nil {
			return fmt.Errorf("%s: %w", ref, err)
		}
		fmt.Fprintln(s.Out, p)
	}
	return nil
}
