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
	// Zig links the targets with zig through berth's wrapper (package
	// zigcc), set in cargo's environment by target planning; cargo's
	// command line is the same as without it.
	Zig bool
	// Glibc is the glibc version the zig wrapper links the gnu targets
	// against ("2.17"), from the --target spelling
	// aarch64-unknown-linux-gnu.2.17; only with Zig. Cargo sees the real
	// triples alone, so its target directories (and cook's clean-up of
	// them) are the ones a build without zig uses.
	Glibc string
	// Static links the target statically with glibc's +crt-static, the way
	// `cargo berth build --static` and `stage --static` do; it needs exactly
	// one target (AddRustflags adds the flag).
	Static bool
}

// Args returns cargo's argv (without "cargo" and without a message format).
func (f Flags) Args() []string {
	args := []string{"build"}
	if f.Check {
		args[0] = "check"
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
	args = appendEach(args, "--target", f.Targets)
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
