package cli

import (
	"github.com/berth-dev/berth/internal/config"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() { subcommands = append(subcommands, newBuildCmd) }

// cargoFlags choose and configure the binary in cargo's own words; build,
// stage and dockerfile share them.
type cargoFlags struct {
	manifestPath      string
	pkg               string
	bin               string
	profile           string
	features          []string
	noDefaultFeatures bool
	allFeatures       bool
	target            string
	static            bool
}

// add registers the flags; staticHelp says what --static does for the
// command.
func (c *cargoFlags) add(f *pflag.FlagSet, staticHelp string) {
	f.StringVar(&c.manifestPath, "manifest-path", "", "path to Cargo.toml")
	f.StringVarP(&c.pkg, "package", "p", "", "package that owns the binary")
	f.StringVar(&c.bin, "bin", "", "binary to package (searched across the workspace's members)")
	f.StringVar(&c.profile, "profile", "release", "cargo profile to build with")
	f.StringSliceVarP(&c.features, "features", "F", nil, "features to activate (comma-separated or repeated)")
	f.BoolVar(&c.noDefaultFeatures, "no-default-features", false, "do not activate the default feature")
	f.BoolVar(&c.allFeatures, "all-features", false, "activate all features")
	f.StringVar(&c.target, "target", "", "target triple to build for")
	f.BoolVar(&c.static, "static", false, staticHelp)
}

// buildOptions are the flags of `cargo berth build`.
type buildOptions struct {
	cargoFlags
	platformFlags
	binary       string
	locked       bool
	frozen       bool
	offline      bool
	tags         []string
	base         string
	env          []string
	labels       []string
	expose       []string
	user         string
	includes     []string
	sysroot      string
	libraryPaths []string
	ociLayout    string
	tarball      string
	load         bool
	push         bool
	json         bool
	force        bool
	zig          bool
	supply       supplyFlags
	compression  string
}

func newBuildCmd(s *streams) *cobra.Command {
	o := &buildOptions{}
	cmd := &cobra.Command{
		Use:   "build [flags]",
		Short: "Build the binary with cargo and package it into a minimal OCI image",
		Long: `Build the binary with cargo and package it into a minimal OCI image.

The image holds the binary and exactly the runtime files it needs (its shared
libraries as its ELF headers name them, CA certificates, passwd/group with the
nonroot user 65532, /tmp), nothing else. No Docker daemon is needed: by default
the image is written as an OCI layout under the target directory.

Settings may also come from [package.metadata.berth] or
[workspace.metadata.berth] in Cargo.toml and from BERTH_* environment
variables; flags win over the environment, which wins over Cargo.toml.`,
		Example: `  cargo berth build
  cargo berth build --bin api --static -t registry.example.com/api:1.2 --push
  cargo berth build --tarball api.tar -t api:dev && docker load -i api.tar`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBuild(cmd.Context(), s, o, changedFlags(cmd))
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	o.addCargoFlags(f)
	o.platformFlags.add(f)
	f.StringArrayVarP(&o.tags, "tag", "t", nil, "image reference, e.g. registry/name:tag (repeatable)")
	f.StringVar(&o.base, "base", "auto", "auto (exact runtime closure), scratch (binary only) or a base image reference")
	f.StringArrayVar(&o.env, "env", nil, "environment variable K=V (repeatable)")
	f.StringArrayVar(&o.labels, "label", nil, "image label K=V (repeatable)")
	f.StringArrayVar(&o.expose, "expose", nil, "port to expose, PORT[/tcp|/udp] (repeatable)")
	f.StringVar(&o.user, "user", "65532:65532", "user the binary runs as")
	o.addRuntimeFlags(f)
	f.StringVar(&o.ociLayout, "oci-layout", "", "write an OCI image layout to this directory")
	f.StringVar(&o.tarball, "tarball", "", "write a docker-archive tarball (for docker load) to this file")
	f.BoolVar(&o.force, "force", false, "replace an OCI layout or tar archive at --oci-layout/--tarball that berth did not write")
	f.BoolVar(&o.load, "load", false, "load the image into the Docker daemon at DOCKER_HOST")
	f.BoolVar(&o.push, "push", false, "push the image to the registry of each tag")
	o.supply.add(f)
	f.BoolVar(&o.json, "json", false, "print one JSON document listing each ref, digest, platform and SBOM digest, for CI")
	f.StringVar(&o.compression, "compression", "gzip", "layer compression: gzip (every engine) or zstd (smaller, faster; Docker 23+, containerd 1.5+)")
	return cmd
}

// addCargoFlags adds the flags that choose and build the binary, in cargo's
// own words; build and stage share them.
func (o *buildOptions) addCargoFlags(f *pflag.FlagSet) {
	o.cargoFlags.add(f, "link statically (musl when its std is installed, else glibc +crt-static)")
	f.BoolVar(&o.locked, "locked", false, "require Cargo.lock to be up to date (cargo's --locked)")
	f.BoolVar(&o.frozen, "frozen", false, "require Cargo.lock up to date and no network (cargo's --frozen)")
	f.BoolVar(&o.offline, "offline", false, "run cargo without the network (cargo's --offline)")
	f.StringVar(&o.binary, "binary", "", "package this prebuilt ELF binary instead of running cargo")
	f.BoolVar(&o.zig, "zig", false, "link the targets with zig (berth is its own `zig cc` wrapper; only zig is needed, no cross gcc); "+
		"--target may name a glibc version, e.g. aarch64-unknown-linux-gnu.2.17")
}

// addRuntimeFlags adds the flags that shape the runtime files; build and
// stage share them.
func (o *buildOptions) addRuntimeFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&o.includes, "include", nil, "extra host file or directory, SRC:/DEST (repeatable)")
	f.StringVar(&o.sysroot, "sysroot", "", "take shared libraries and system files from this root instead of / (e.g. a cross target's)")
	f.StringArrayVar(&o.libraryPaths, "library-path", nil, "also look for shared libraries in this absolute directory, like LD_LIBRARY_PATH; the image gets LD_LIBRARY_PATH (repeatable)")
}

// flagLayer turns the flags the user set into a configuration layer.
func (o *buildOptions) flagLayer(changed map[string]bool) (config.Layer, error) {
	l := o.cargoFlags.layer(changed)
	v := &l.Values
	if changed["base"] {
		v.Base = &o.base
	}
	if changed["tag"] {
		v.Tags = o.tags
	}
	if changed["user"] {
		v.User = &o.user
	}
	if changed["expose"] {
		v.Expose = o.expose
	}
	if changed["include"] {
		v.Include = o.includes
	}
	if changed["platform"] {
		v.Platforms = o.platforms
	}
	if changed["compression"] {
		v.Compression = &o.compression
	}
	if changed["zig"] {
		v.Zig = &o.zig
	}
	o.supply.layer(changed, v)
	var err error
	if changed["env"] {
		if v.Env, err = config.ParsePairs(o.env); err != nil {
			return l, usagef("--env: %v", err)
		}
	}
	if changed["label"] {
		if v.Labels, err = config.ParsePairs(o.labels); err != nil {
			return l, usagef("--label: %v", err)
		}
	}
	return l, nil
}

func changedFlags(cmd *cobra.Command) map[string]bool {
	m := map[string]bool{}
	cmd.Flags().Visit(func(f *pflag.Flag) { m[f.Name] = true })
	return m
}
