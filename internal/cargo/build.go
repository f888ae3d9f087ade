package cargo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/cargoconfig"
)

// BuildOptions select what `cargo build` compiles; they mirror cargo's flags.
type BuildOptions struct {
	ManifestPath      string
	Package           string
	Bin               string
	Profile           string // "" means release
	Features          []string
	NoDefaultFeatures bool
	AllFeatures       bool
	Target            string // target triple; "" means the host
	// Locked, Frozen and Offline are cargo's flags of the same names.
	Locked, Frozen, Offline bool
	// Static links the C runtime statically (+crt-static). It needs Target:
	// with it rustflags reach only the target, not build scripts and
	// proc-macros, which must stay dynamic.
	Static bool
	// Zig and Glibc are Flags' fields of the same names: zig links, and
	// the glibc version it links a gnu Target against.
	Zig   bool
	Glibc string
}

// Flags are o in cargo's flags, with the release profile by default.
func (o BuildOptions) Flags() Flags {
	f := Flags{
		ManifestPath: o.ManifestPath, Profile: o.Profile, Features: o.Features,
		NoDefaultFeatures: o.NoDefaultFeatures, AllFeatures: o.AllFeatures,
		Locked: o.Locked, Frozen: o.Frozen, Offline: o.Offline, Static: o.Static,
		Zig: o.Zig, Glibc: o.Glibc,
	}
	if f.Profile == "" {
		f.Profile = "release"
	}
	for _, l := range []struct {
		to *[]string
		v  string
	}{{&f.Packages, o.Package}, {&f.Bins, o.Bin}, {&f.Targets, o.Target}} {
		if l.v != "" {
			*l.to = []string{l.v}
		}
	}
	return f
}

// Args is the cargo command line for o, without the message format.
func (o BuildOptions) Args() []string { return o.Flags().Args() }

// Build compiles o.Bin and returns the path of the executable cargo
// produced, as cargo reports it (never guessed from target/release).
func (r *Runner) Build(ctx context.Context, o BuildOptions) (string, error) {
	if o.Static && o.Target == "" {
		return "", fmt.Errorf("a static build needs an explicit target triple (cargo applies rustflags to proc-macros otherwise)")
	}
	args := append(o.Args(), "--message-format=json-render-diagnostics")
	run := *r
	if o.Static {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		run.Env, args = StaticArgs(r.Env, args, o.Target, wd)
	}
	var exe string
	err := run.Messages(ctx, "", args, func(m Message) error {
		if m.Reason == "compiler-artifact" && m.Executable != "" && m.Target != nil &&
			m.Target.IsBin() && m.Target.Name == o.Bin && !m.Profile.Test {
			exe = m.Executable
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if exe == "" {
		return "", fmt.Errorf("cargo %s finished but reported no executable for binary %q", strings.Join(args, " "), o.Bin)
	}
	return exe, nil
}

const crtStatic = "-C target-feature=+crt-static"

// StaticArgs adds +crt-static for the target only, for a cargo build run
// in dir with env and args (which name the target). Build and cook use it,
// so that both compile with the very same flags. When the user already
// sets RUSTFLAGS (or its encoded form) we append to it, since it overrides
// every config file. Otherwise a --config entry joins the rustflags of the
// config files, in the table cargo will read: target.<triple>.rustflags if
// any config sets target rustflags (they win over build.rustflags), else
// build.rustflags (which, with an explicit --target, reach the target alone,
// never build scripts or proc-macros).
func StaticArgs(env, args []string, target, dir string) ([]string, []string) {
	if env == nil {
		env = os.Environ()
	}
	env = slices.Clone(env)
	for i, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "CARGO_ENCODED_RUSTFLAGS":
			env[i] = k + "=" + v + "\x1f-C\x1ftarget-feature=+crt-static"
			return env, args
		case "RUSTFLAGS":
			env[i] = k + "=" + v + " " + crtStatic
			return env, args
		}
	}
	table := "build"
	if cargoconfig.HasTargetRustflags(env, dir) {
		table = "target." + target
	}
	return env, append(args, "--config", table+`.rustflags=["-C", "target-feature=+crt-static"]`)
}

// RustcVersion is `rustc -vV`: the compiler's release, commit and host.
func (r *Runner) RustcVersion(ctx context.Context) (string, error) {
	out, err := r.rustc(ctx, "-vV")
	return string(out), err
}

// HostTriple asks rustc for the host target triple.
func (r *Runner) HostTriple(ctx context.Context) (string, error) {
	out, err := r.RustcVersion(ctx)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "host: "); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("rustc -vV printed no host line")
}

// InstalledTargets lists the targets whose std is installed for the active
// toolchain (rustc --print sysroot, then lib/rustlib/<triple>/lib).
func (r *Runner) InstalledTargets(ctx context.Context) ([]string, error) {
	out, err := r.rustc(ctx, "--print", "sysroot")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "lib", "rustlib")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing installed Rust targets: %w", err)
	}
	var triples []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "lib")); err == nil && e.IsDir() {
			triples = append(triples, e.Name())
		}
	}
	return triples, nil
}

// rustc runs the compiler ($RUSTC, else rustc) and returns its stdout.
func (r *Runner) rustc(ctx context.Context, args ...string) ([]byte, error) {
	bin := os.Getenv("RUSTC")
	if bin == "" {
		bin = "rustc"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = r.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", bin, strings.Join(args, " "), startErr(err), strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
