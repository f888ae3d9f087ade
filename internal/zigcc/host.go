package zigcc

import (
	"os"
	"strings"
)

// hostUnit reports whether rustc's (or the cc crate's) arguments, response
// files included, write a file outside a directory named triple: a host
// unit. Cargo builds proc-macros and build scripts (units for the host)
// into target/<profile>/ and the target's units into
// target/<triple>/<profile>/, and when --target names the host's own triple
// (x86_64-unknown-linux-gnu.2.17 on an x86-64 machine) it hands host units
// the target's linker too, and their build scripts' cc crate the target's
// CC_<triple>. Those are for rustc to load or run here, linked as cargo
// would without zig: by the host's cc. Arguments with no output (the cc
// crate's compiler probes) are the target's.
func hostUnit(args []string, triple string) bool {
	out := outputPath(args)
	if out == "" {
		return false
	}
	for _, part := range strings.Split(out, "/") {
		if part == triple {
			return false
		}
	}
	return true
}

// outputPath is the file -o names in args ("-o PATH" or "-oPATH"),
// looking into @response files; "" when none does.
func outputPath(args []string) string {
	for i, a := range args {
		switch {
		case a == "-o" && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "-o") && len(a) > 2:
			return a[2:]
		case strings.HasPrefix(a, "@"):
			data, err := os.ReadFile(a[1:])
			if err != nil {
				continue // fixArgs reports it
			}
			if out := outputPath(strings.Split(string(data), "\n")); out != "" {
				return out
			}
		}
	}
	return ""
}
