// Package zigcc is berth's own `zig cc` wrapper: it finds zig, writes the
// linker script cargo runs for a --zig target, and, re-executed by that
// script, runs `zig cc -target <arch>-linux-<abi>[.<glibc>]` with the
// argument fixes rustc's command lines need.
package zigcc
