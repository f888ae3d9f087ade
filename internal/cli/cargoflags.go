package cli

import (
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/pipeline"
)

// cargoFlags are cargo's own flags, spelled as cargo spells them in every
// command (build, stage, cook, dockerfile): --profile with --release as its
// alias, and -p, --bin, --target and -F repeatable. A command that needs one
// value of a repeatable flag says so when it gets several.
type cargoFlags struct {
	pipeline.CargoFlags
	bins    []string
	profile string
	release bool
	static  bool
	zig     bool
}

// add registers the flags; defaultProfile is the command's profile when
// neither --profile nor --release is given ("" for cargo's own, dev).
func (c *cargoFlags) add(f *pflag.FlagSet, defaultProfile, staticHelp string) {
	c.addSelect(f)
	profileHelp := "cargo profile to build with"
	if defaultProfile == "" {
		profileHelp += " (default: cargo's, dev)"
	}
	f.StringVar(&c.profile, "profile", defaultProfile, profileHelp)
	f.BoolVar(&c.release, "release", false, "build with the release profile: --profile release")
	c.addFeatures(f)
	f.StringArrayVar(&c.Targets, "target", nil, "target triple to build for (repeatable where cargo allows several)")
	f.BoolVar(&c.static, "static", false, staticHelp)
}

// addSelect adds -p and --bin, which choose what cargo builds (and what
// prepare trims its recipe to).
func (c *cargoFlags) addSelect(f *pflag.FlagSet) {
	f.StringArrayVarP(&c.Packages, "package", "p", nil, "package that owns the binary (repeatable where cargo allows several)")
	f.StringArrayVar(&c.bins, "bin", nil, "binary to build (searched across the workspace's members; repeatable where cargo allows several)")
}

// addFeatures adds cargo's feature flags.
func (c *cargoFlags) addFeatures(f *pflag.FlagSet) {
	f.StringArrayVarP(&c.Features, "features", "F", nil, "features to activate (comma-separated or repeated)")
	f.BoolVar(&c.NoDefaultFeatures, "no-default-features", false, "do not activate the default feature")
	f.BoolVar(&c.AllFeatures, "all-features", false, "activate all features")
}

// addManifestPath adds --manifest-path, for the commands that read a
// project (cook reads its recipe instead).
func (c *cargoFlags) addManifestPath(f *pflag.FlagSet) {
	f.StringVar(&c.ManifestPath, "manifest-path", "", "path to Cargo.toml")
}

// addRunFlags adds the flags of a cargo run, for the commands that run
// cargo (the dockerfile command writes a file).
func (c *cargoFlags) addRunFlags(f *pflag.FlagSet) {
	f.BoolVar(&c.Locked, "locked", false, "require Cargo.lock to be up to date (cargo's --locked)")
	f.BoolVar(&c.Frozen, "frozen", false, "require Cargo.lock up to date and no network (cargo's --frozen)")
	f.BoolVar(&c.Offline, "offline", false, "run cargo without the network (cargo's --offline)")
	f.BoolVar(&c.zig, "zig", false, "link the targets with zig (berth is its own `zig cc` wrapper; only zig is needed, no cross gcc); "+
		"--target may name a glibc version, e.g. aarch64-unknown-linux-gnu.2.17")
}

// resolveProfile applies --release, the alias of --profile release; with
// another --profile the two conflict, which is said rather than guessed.
func (c *cargoFlags) resolveProfile(changed map[string]bool) error {
	if !c.release {
		return nil
	}
	if changed["profile"] && c.profile != "release" {
		return usagef("--release is --profile release, and --profile %s was given too; pass one of them", c.profile)
	}
	c.profile = "release"
	return nil
}

// flagLayer names the settings given as flags (config.Resolved.Source).
const flagLayer = "flag"

// layer is the configuration the cargo flags the user set carry: bin,
// profile, static and zig are settings Cargo.toml and BERTH_* may give too.
func (c *cargoFlags) layer(changed map[string]bool) (config.Layer, error) {
	l := config.Layer{Name: flagLayer}
	if err := c.resolveProfile(changed); err != nil {
		return l, err
	}
	switch {
	case len(c.bins) > 1:
		return l, usagef("--bin given %d times: an image holds one binary; give one --bin", len(c.bins))
	case len(c.bins) == 1:
		l.Values.Bin = &c.bins[0]
	}
	if changed["profile"] || changed["release"] {
		l.Values.Profile = &c.profile
	}
	if changed["static"] {
		l.Values.Static = &c.static
	}
	if changed["zig"] {
		l.Values.Zig = &c.zig
	}
	return l, nil
}
