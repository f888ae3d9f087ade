package zigcc

import (
	"fmt"
	"os"
	"strings"
)

// fixArgs rewrites rustc's (or a build script's cc crate's) arguments for
// zig cc, one at a time; see fixArg.
func fixArgs(args []string, t Target) ([]string, error) {
	out := make([]string, 0, len(args))
	for _, a := range args {
		if strings.HasPrefix(a, "@") {
			if err := fixResponseFile(a[1:], t); err != nil {
				return nil, err
			}
			out = append(out, a)
			continue
		}
		if fixed, keep := fixArg(a, t); keep {
			out = append(out, fixed)
		}
	}
	return out, nil
}

// fixResponseFile rewrites the arguments rustc put in a file (one a line,
// its way past a command-line length limit) in place.
func fixResponseFile(path string, t Target) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the linker's response file: %w", err)
	}
	var out []string
	for _, a := range strings.Split(string(data), "\n") {
		if fixed, keep := fixArg(a, t); keep {
			out = append(out, fixed)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		return fmt.Errorf("rewriting the linker's response file: %w", err)
	}
	return nil
}

// fixArg is one argument as zig cc takes it, or keep=false to drop it.
// These are the fixes cargo-zigbuild found to be needed:
//   - -lgcc_s: zig ships no libgcc_s; its libunwind provides the unwinder;
//   - --target=...: a clang-style target from rustc or the cc crate, which
//     would fight the -target the wrapper passes (zig's spelling);
//   - -Wl,--no-undefined-version: newer rustc passes it, zig's linker lacks it;
//   - -march= on 32-bit arm and x86: rustc's names are not zig's cpu names
//     (the wrapper passes -mcpu); on riscv64 zig's name is generic_rv64;
//   - musl: rustc's self-contained crt objects and -lc duplicate zig's own
//     musl, and -Wl,-melf_i386 is unknown to zig;
//   - compiler-builtins on 32-bit arm duplicates zig's compiler-rt.
func fixArg(a string, t Target) (string, bool) {
	switch {
	case a == "-lgcc_s":
		return "-lunwind", true
	case strings.HasPrefix(a, "--target="), a == "-Wl,--no-undefined-version":
		return "", false
	case strings.HasPrefix(a, "-march="):
		return marchArg(a, t)
	case t.Arm && strings.HasSuffix(a, ".rlib") && strings.Contains(a, "libcompiler_builtins-"):
		return "", false
	case t.Musl && (a == "-lc" || a == "-Wl,-melf_i386"):
		return "", false
	case t.Musl && strings.HasSuffix(a, ".o") && strings.Contains(a, "self-contained") && strings.Contains(a, "crt"):
		return "", false
	}
	return a, true
}

func marchArg(a string, t Target) (string, bool) {
	arch, _, _ := strings.Cut(t.Zig, "-")
	switch {
	case arch == "arm" || arch == "x86":
		return "", false
	case arch == "riscv64":
		return "-march=generic_rv64", true
	case arch == "aarch64" && strings.HasPrefix(a, "-march=armv8-a"):
		return strings.ReplaceAll(strings.Replace(a, "armv8-a", "generic+v8a", 1), "simd", "neon"), true
	}
	return a, true
}
