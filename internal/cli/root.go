package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/timing"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitInterrupted is the shell's code for a process stopped by SIGINT.
	exitInterrupted = 130
)

// usageError marks a bad command line (flag syntax, flags that cannot go
// together); it exits 2, as a pipeline.InputError does.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// streams are where a command writes: results on Out, everything else on Err.
type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Main runs berth with args (without the program name) and returns the exit
// code. When cargo runs us as `cargo berth ...` it passes "berth" first; that
// word is dropped.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "berth" {
		args = args[1:]
	}
	// stderr has several writers at once: cargo's output, copied by os/exec,
	// and --timings lines from other goroutines.
	s := &streams{In: os.Stdin, Out: stdout, Err: timing.Serialized(stderr)}
	root := newRootCmd(s)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if ctx.Err() != nil {
		// Interrupted: the user asked to stop; an output whose swap had not
		// begun was left as it was (see atomicfile's ctx checks).
		fmt.Fprintln(stderr, "interrupted")
		return exitInterrupted
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "error: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || pipeline.IsInput(err) || strings.HasPrefix(err.Error(), "unknown command") {
		fmt.Fprintf(stderr, "run '%s --help' for usage\n", strings.TrimSpace("cargo berth "+commandName(root, args)))
		return exitUsage
	}
	return exitError
}

func newRootCmd(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "berth",
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "cargo berth"},
		Short:         "Put a Rust service into the smallest correct container image",
		Version:       Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	var timings bool
	root.PersistentFlags().BoolVar(&timings, "timings", false, "print on stderr how long each step took (cargo, closure, layers, outputs)")
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		for _, w := range config.UnknownEnv(os.Environ()) {
			fmt.Fprintf(s.Err, "warning: %s\n", w)
		}
		if timings {
			cmd.SetContext(timing.With(cmd.Context(), timing.New(s.Err)))
		}
	}
	for _, add := range subcommands {
		root.AddCommand(add(s))
	}
	return root
}

// subcommands is filled by each command's file, so adding a command touches
// one file only.
var subcommands []func(*streams) *cobra.Command

func commandName(root *cobra.Command, args []string) string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == root {
		return ""
	}
	return cmd.Name()
}

// noArgs rejects positional arguments as a usage error (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown argument %q for %q; it takes flags only", args[0], cmd.CommandPath())
	}
	return nil
}

// version is set at link time (-ldflags "-X ...cli.version=v1.2.3").
var version string

// Version is berth's version: the linked-in one, else the module version
// `go install` recorded, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
