package cargo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/berth-dev/berth/internal/cargoconfig"
)

// IsGnu reports whether triple is a Linux glibc target
// (aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf).
func IsGnu(triple string) bool { return strings.Contains(triple, "-linux-gnu") }

var glibcVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// SplitGlibc splits cargo-zigbuild's target spelling
// (aarch64-unknown-linux-gnu.2.17) into the triple and the glibc version
// ("" when there is none). The version must be MAJOR.MINOR and its
// triple a gnu one.
func SplitGlibc(target string) (triple, glibc string, err error) {
	triple, glibc, ok := strings.Cut(target, ".")
	if !ok {
		return target, "", nil
	}
	if !glibcVersion.MatchString(glibc) {
		return "", "", fmt.Errorf("target %s: after the triple cargo-zigbuild takes a glibc version such as %s.2.17, not %q", target, triple, glibc)
	}
	if !IsGnu(triple) {
		return "", "", fmt.Errorf("target %s: a glibc version goes with a -linux-gnu triple, and %s is not one", target, triple)
	}
	return triple, glibc, nil
}

// CheckZigbuild says what `cargo zigbuild` needs that this machine lacks,
// each with how to install it; nil when it has both: the cargo-zigbuild
// subcommand (where cargo looks: $CARGO_HOME/bin, then PATH) and a zig that
// cargo-zigbuild finds ($CARGO_ZIGBUILD_ZIG_PATH or zig on PATH, else
// `python3 -m ziglang`, python3 being $CARGO_ZIGBUILD_PYTHON_PATH if set).
func CheckZigbuild(ctx context.Context) error {
	var missing []string
	if !hasSubcommand("cargo-zigbuild") {
		missing = append(missing, "cargo-zigbuild (neither on PATH nor in $CARGO_HOME/bin): "+
			"install it with `cargo install --locked cargo-zigbuild`")
	}
	if !hasZig(ctx) {
		missing = append(missing, "zig (not on PATH, nor at $CARGO_ZIGBUILD_ZIG_PATH, nor importable as `python3 -m ziglang`): "+
			"install it from https://ziglang.org/download/ or with `pip install ziglang`")
	}
	switch len(missing) {
	case 0:
		return nil
	case 2:
		missing = append(missing, "or both at once: `pip install cargo-zigbuild`")
	}
	return fmt.Errorf("cargo zigbuild needs what this machine lacks:\n  %s", strings.Join(missing, "\n  "))
}

func hasSubcommand(name string) bool {
	if home := cargoconfig.Home(os.Environ()); home != "" {
		if info, err := os.Stat(filepath.Join(home, "bin", name)); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return true
		}
	}
	_, err := exec.LookPath(name)
	return err == nil
}

func hasZig(ctx context.Context) bool {
	zig := os.Getenv("CARGO_ZIGBUILD_ZIG_PATH")
	if zig == "" {
		zig = "zig"
	}
	if _, err := exec.LookPath(zig); err == nil {
		return true
	}
	python := os.Getenv("CARGO_ZIGBUILD_PYTHON_PATH")
	if python == "" {
		python = "python3"
	}
	return exec.CommandContext(ctx, python, "-m", "ziglang", "version").Run() == nil
}
