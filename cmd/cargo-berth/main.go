// Command cargo-berth puts a Rust project into a minimal container image.
// Installed on PATH it also runs as `cargo berth ...`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/berth-dev/berth/internal/cli"
	"github.com/berth-dev/berth/internal/zigcc"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == zigcc.Command {
		// berth as the --zig linker, run by its wrapper script with
		// rustc's arguments: no command parsing, no signal handling (zig
		// replaces this process).
		os.Exit(zigcc.Main(os.Args[2:], os.Stderr))
	}
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal cancels the work, which stops within a second
		// and leaves earlier outputs as they were; a second one exits at
		// once, for a user who will not wait even that long.
		<-sigs
		fmt.Fprintln(os.Stderr, "stopping (interrupt again to exit at once)")
		cancel()
		<-sigs
		os.Exit(130)
	}()
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}
