package cargo

import "strings"

// Flags are cargo's command-line flags for a build, spelled once for every
// command that runs cargo: build and stage (through BuildOptions) and cook.
// Cook's dependencies are fresh for the final build only when both pass the
// same flags, so they must come from this one type.
type Flags struct {
	ManifestPath      string
	Release           bool
	Profile           string
	Packages          []string
	Bins              []string
	Features          []string
	NoDefaultFeatures bool
	AllFeatures       bool
	Targets           []string
	Workspace         bool
	Locked            bool
	Frozen            bool
	Offline           bool
	Tests             bool
	Benches           bool
	Examples          bool
	AllTargets        bool
	// Check runs `cargo check` instead of `cargo build`.
	Check bool
	// Zig runs `cargo zigbuild` (cargo-zigbuild: zig links every target
	// but the host's) instead of `cargo build`; it takes the same flags.
	// Check wins over it: cargo zigbuild only builds.
	Zig bool
	// Glibc is the glibc version zigbuild links the gnu targets against
	// ("2.17"), spelled as their --target's suffix (zigbuild's
	// aarch64-unknown-linux-gnu.2.17); only with Zig. Targets keep the
	// real triples: cargo metadata and config tables know no suffix.
	Glibc string
	// Static links the target statically with glibc's +crt-static, the way
	// `cargo berth build --static` and `stage --static` do; it needs exactly
	// one target (StaticArgs adds the flag).
	Static bool
}

// Args returns cargo's argv (without "cargo" and without a message format).
func (f Flags) Args() []string {
	args := []string{"build"}
	switch {
	case f.Check:
		args[0] = "check"
	case f.Zig:
		args[0] = "zigbuild"
	}
	if f.ManifestPath != "" {
		args = append(args, "--manifest-path", f.ManifestPath)
	}
	args = appendEach(args, "--package", f.Packages)
	args = appendEach(args, "--bin", f.Bins)
	if f.Release {
		args = append(args, "--release")
	}
	if f.Profile != "" {
		args = append(args, "--profile", f.Profile)
	}
	args = append(args, f.featureArgs()...)
	args = appendEach(args, "--target", f.targetArgs())
	args = appendBools(args, []boolFlag{
		{f.Workspace, "--workspace"}, {f.Tests, "--tests"}, {f.Benches, "--benches"},
		{f.Examples, "--examples"}, {f.AllTargets, "--all-targets"},
	})
	return append(args, f.lockfileArgs()...)
}

// SelectionArgs are the flags that decide the crate graph, for cargo
// metadata: the features, each target as targetFlag (--filter-platform),
// and the lockfile flags.
func (f Flags) SelectionArgs(targetFlag string) []string {
	args := appendEach(f.featureArgs(), targetFlag, f.Targets)
	return append(args, f.lockfileArgs()...)
}

// targetArgs are the --target values: the triples, each gnu one with the
// glibc version zigbuild links it against.
func (f Flags) targetArgs() []string {
	if !f.Zig || f.Check || f.Glibc == "" {
		return f.Targets
	}
	out := make([]string, len(f.Targets))
	for i, t := range f.Targets {
		out[i] = t
		if IsGnu(t) {
			out[i] = t + "." + f.Glibc
		}
	}
	return out
}

func (f Flags) featureArgs() []string {
	var args []string
	if len(f.Features) > 0 {
		args = append(args, "--features", strings.Join(f.Features, ","))
	}
	return appendBools(args, []boolFlag{{f.NoDefaultFeatures, "--no-default-features"}, {f.AllFeatures, "--all-features"}})
}

func (f Flags) lockfileArgs() []string {
	return appendBools(nil, []boolFlag{{f.Locked, "--locked"}, {f.Frozen, "--frozen"}, {f.Offline, "--offline"}})
}

type boolFlag struct {
	on   bool
	flag string
}

func appendBools(args []string, flags []boolFlag) []string {
	for _, b := range flags {
		if b.on {
			args = append(args, b.flag)
		}
	}
	return args
}

func appendEach(args []string, flag string, values []string) []string {
	for _, v := range values {
		args = append(args, flag, v)
	}
	return args
}
