package zigcc

import (
	"fmt"
	"strings"
)

// Target is what the wrapper needs to know of a Rust target.
type Target struct {
	Triple string // Rust's: aarch64-unknown-linux-gnu
	Zig    string // zig's -target: aarch64-linux-gnu.2.17
	Musl   bool
	Arm    bool // 32-bit arm: compiler-builtins clashes with zig's compiler-rt
}

// zigArch is zig's name of a Rust triple's architecture, where they differ.
var zigArch = map[string]string{
	"armv7": "arm", "arm": "arm", "i686": "x86", "i586": "x86", "riscv64gc": "riscv64",
}

// cpu is the -mcpu zig needs where rustc's baseline is not zig's default
// for the architecture (zig spells features with _ and +).
var cpu = map[string]string{
	"armv7-unknown-linux-gnueabihf":  "generic+v7a+vfp3-d32+thumb2-neon",
	"armv7-unknown-linux-musleabihf": "generic+v7a+vfp3-d32+thumb2-neon",
	"i686-unknown-linux-gnu":         "pentium4",
	"riscv64gc-unknown-linux-gnu":    "generic_rv64+m+a+f+d+c",
	"riscv64gc-unknown-linux-musl":   "generic_rv64+m+a+f+d+c",
}

// ForTriple is the zig target of a Linux Rust triple, with the glibc version
// ("2.17", or "" for zig's default) for a gnu one. Rust spells the vendor
// (unknown) and zig does not; zig has no glibc suffix for musl.
func ForTriple(triple, glibc string) (Target, error) {
	parts := strings.Split(triple, "-")
	if len(parts) != 4 || parts[2] != "linux" {
		return Target{}, fmt.Errorf("target %s: berth links Linux targets (arch-vendor-linux-abi) with zig", triple)
	}
	arch, abi := parts[0], parts[3]
	if a, ok := zigArch[arch]; ok {
		arch = a
	}
	t := Target{Triple: triple, Musl: strings.HasPrefix(abi, "musl"), Arm: arch == "arm"}
	switch {
	case t.Musl && glibc != "":
		return Target{}, fmt.Errorf("target %s.%s: a glibc version goes with a -linux-gnu triple, and %s links musl", triple, glibc, triple)
	case !t.Musl && !strings.HasPrefix(abi, "gnu"):
		return Target{}, fmt.Errorf("target %s: zig links Linux gnu and musl targets, not %s", triple, abi)
	}
	t.Zig = arch + "-linux-" + abi
	if glibc != "" {
		t.Zig += "." + glibc
	}
	return t, nil
}

// ccArgs are the arguments the wrapper puts before rustc's: the target,
// the cpu where zig's default differs, and -g so that zig leaves the
// stripping to rustc's profile (zig cc strips without it).
func (t Target) ccArgs() []string {
	args := []string{"-target", t.Zig, "-g"}
	if c := cpu[t.Triple]; c != "" {
		args = append(args, "-mcpu="+c)
	}
	return args
}
