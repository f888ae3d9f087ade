package cargo

import (
	"bytes"
	"context"
	"encoding/json"
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
	// Rustflags are added to the user's rustflags (AddRustflags), after
	// Static's: berth's --remap-path-prefix flags.
	Rustflags []string
}

// rustflags are the flags o adds to the user's rustflags: +crt-static,
// then Rustflags.
func (o BuildOptions) rustflags() []string {
	var flags []string
	if o.Static {
		flags = append(flags, CrtStatic...)
	}
	return append(flags, o.Rustflags...)
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
	if flags := o.rustflags(); len(flags) > 0 {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("finding the directory cargo reads its configuration from: %w", err)
		}
		run.Env, args = AddRustflags(r.Env, args, o.Target, wd, flags)
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

// CrtStatic are the rustflags of a static glibc build (+crt-static).
var CrtStatic = []string{"-C", "target-feature=+crt-static"}

// AddRustflags adds flags to the rustflags of a cargo build run in dir with
// env and args, for target ("" for the host). Build (for +crt-static and
// --remap-path-prefix) and cook (for +crt-static) use it, so that cook and
// the final build compile with the very same flags. cargo takes the first
// of CARGO_ENCODED_RUSTFLAGS, RUSTFLAGS, target.<triple>.rustflags (with
// the target.'cfg(...)' tables) and build.rustflags, and ignores the rest,
// so flags are joined to that one: appended to the environment variable the
// user set (RUSTFLAGS becomes its encoded form when a flag holds a space,
// which RUSTFLAGS cannot carry), else a --config entry joins the config
// files' rustflags in the table cargo will read: the target's if any config
// sets target rustflags, else build.rustflags (which, with an explicit
// --target, reach the target alone, never build scripts or proc-macros).
func AddRustflags(env, args []string, target, dir string, flags []string) ([]string, []string) {
	if env == nil {
		env = os.Environ()
	}
	env = slices.Clone(env)
	if len(flags) == 0 {
		return env, args
	}
	// A name given again replaces it: the last value is the one cargo sees.
	if v, ok := cargoconfig.LookupEnv(env, "CARGO_ENCODED_RUSTFLAGS"); ok {
		return append(env, "CARGO_ENCODED_RUSTFLAGS="+strings.Join(append(encodedFields(v), flags...), "\x1f")), args
	}
	if v, ok := cargoconfig.LookupEnv(env, "RUSTFLAGS"); ok {
		if !slices.ContainsFunc(flags, func(f string) bool { return strings.Contains(f, " ") }) {
			return append(env, "RUSTFLAGS="+strings.Join(append([]string{v}, flags...), " ")), args
		}
		return append(env, "CARGO_ENCODED_RUSTFLAGS="+strings.Join(append(strings.Fields(v), flags...), "\x1f")), args
	}
	table := "build"
	if cargoconfig.HasTargetRustflags(env, dir) {
		// A host build has no triple to name: cfg(all()) is every target,
		// and cargo joins the cfg tables' flags with the triple's.
		table = "target.'cfg(all())'"
		if target != "" {
			table = "target." + target
		}
	}
	quoted := make([]string, len(flags))
	for i, f := range flags {
		q, _ := json.Marshal(f) // JSON's escapes are TOML's
		quoted[i] = string(q)
	}
	return env, append(args, "--config", table+".rustflags=["+strings.Join(quoted, ", ")+"]")
}

// encodedFields splits CARGO_ENCODED_RUSTFLAGS as cargo does ("" is none).
func encodedFields(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, "\x1f")
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
