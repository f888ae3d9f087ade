package zigcc

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Main is berth run by a wrapper script: args (after Command) are the mode
// (cc or c++), the Rust triple with its glibc suffix, zig's command line,
// "--", then the arguments of rustc or the cc crate. It replaces itself by
// zig, so zig's exit status and output are the linker's.
func Main(args []string, stderr io.Writer) int {
	argv, err := zigArgv(args)
	if err == nil && !filepath.IsAbs(argv[0]) {
		argv[0], err = exec.LookPath(argv[0]) // the host's cc, for a host unit
	}
	if err == nil {
		err = syscall.Exec(argv[0], argv, os.Environ())
	}
	fmt.Fprintf(stderr, "cargo-berth %s: %v\n", Command, err)
	return 1
}

// zigArgv is the zig command line for Main's args; for a host unit
// (hostUnit) it is the host's cc (c++) with the arguments as they came.
func zigArgv(args []string) ([]string, error) {
	sep := slices.Index(args, "--")
	if sep < 3 || (args[0] != "cc" && args[0] != "c++") {
		return nil, fmt.Errorf("want cc|c++ TRIPLE[.GLIBC] ZIG... -- ARGS..., got %q; this mode is for the scripts berth writes", args)
	}
	triple, glibc, _ := strings.Cut(args[1], ".")
	t, err := ForTriple(triple, glibc)
	if err != nil {
		return nil, err
	}
	if hostUnit(args[sep+1:], triple) {
		return append([]string{args[0]}, args[sep+1:]...), nil
	}
	fixed, err := fixArgs(args[sep+1:], t)
	if err != nil {
		return nil, err
	}
	argv := slices.Concat(args[2:sep], []string{args[0]}, t.ccArgs(), fixed)
	return argv, nil
}
