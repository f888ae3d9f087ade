package cargo

import (
	"fmt"
	"regexp"
	"strings"
)

// IsGnu reports whether triple is a Linux glibc target
// (aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf).
func IsGnu(triple string) bool { return strings.Contains(triple, "-linux-gnu") }

var glibcVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// SplitGlibc splits the --zig target spelling (cargo-zigbuild's, which
// berth keeps: aarch64-unknown-linux-gnu.2.17) into the triple and the glibc version
// ("" when there is none). The version must be MAJOR.MINOR and its
// triple a gnu one.
func SplitGlibc(target string) (triple, glibc string, err error) {
	triple, glibc, ok := strings.Cut(target, ".")
	if !ok {
		return target, "", nil
	}
	if !glibcVersion.MatchString(glibc) {
		return "", "", fmt.Errorf("target %s: after the triple --zig takes a glibc version such as %s.2.17, not %q", target, triple, glibc)
	}
	if !IsGnu(triple) {
		return "", "", fmt.Errorf("target %s: a glibc version goes with a -linux-gnu triple, and %s is not one", target, triple)
	}
	return triple, glibc, nil
}
