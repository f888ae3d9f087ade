package recipe

// BuildFlags are the cargo flags cook builds with; the final build must use
// the same ones for the cooked dependencies to be fresh.
type BuildFlags struct {
	Release           bool
	Profile           string
	Targets           []string
	Features          []string
	NoDefaultFeatures bool
	AllFeatures       bool
	Packages          []string
	Bins              []string
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
	// Static links the target statically with glibc's +crt-static, the way
	// `cargo berth build --static` and `stage --static` do; it needs exactly
	// one target.
	Static bool
}

// Args returns cargo's argv (without "cargo") for these flags.
func (f BuildFlags) Args() []string {
	args := []string{"build"}
	if f.Check {
		args[0] = "check"
	}
	bools := []struct {
		on   bool
		flag string
	}{
		{f.Release, "--release"}, {f.NoDefaultFeatures, "--no-default-features"},
		{f.AllFeatures, "--all-features"}, {f.Workspace, "--workspace"},
		{f.Locked, "--locked"}, {f.Frozen, "--frozen"}, {f.Offline, "--offline"},
		{f.Tests, "--tests"}, {f.Benches, "--benches"}, {f.Examples, "--examples"},
		{f.AllTargets, "--all-targets"},
	}
	for _, b := range bools {
		if b.on {
			args = append(args, b.flag)
		}
	}
	if f.Profile != "" {
		args = append(args, "--profile", f.Profile)
	}
	lists := []struct {
		flag   string
		values []string
	}{{"--target", f.Targets}, {"--features", f.Features}, {"--package", f.Packages}, {"--bin", f.Bins}}
	for _, l := range lists {
		for _, v := range l.values {
			args = append(args, l.flag, v)
		}
	}
	return args
}
