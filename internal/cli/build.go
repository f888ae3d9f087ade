package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
)

func init() { subcommands = append(subcommands, newBuildCmd) }

// buildOptions are the flags of `cargo berth build`; stage shares the
// ones that choose and build the binary.
type buildOptions struct {
	cargoFlags
	settingFlags
	binary       []string
	sysroot      string
	libraryPaths []string
	runtimeFrom  string
	loadPlatform string
	sbomOut      string
	provOut      string
	debugOut     string
	remapPaths   bool
	outputs      publish.Outputs
	json         bool
	force        bool
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
	o.addPlatformFlags(f)
	f.StringVar(&o.loadPlatform, "load-platform", "", "with several platforms, the one --load and --tarball take (default: the host's, else the first)")
	o.settingFlags.add(f)
	o.addRuntimeFlags(f)
	o.addOutputFlags(f)
	o.addSupplyFlags(f)
	o.addProvenanceFlags(f)
	o.addDebugFlags(f)
	f.BoolVar(&o.json, "json", false, "print one JSON document listing each ref, digest, platform and SBOM digest, for CI (also on failure, with the error)")
	return cmd
}

// addOutputFlags adds where the image goes: a layout, a tarball, the
// daemon, a registry (signed or not).
func (o *buildOptions) addOutputFlags(f *pflag.FlagSet) {
	f.StringVar(&o.outputs.Layout, "oci-layout", "", "write an OCI image layout to this directory")
	f.StringVar(&o.outputs.Tarball, "tarball", "", "write a docker-archive tarball (for docker load) to this file")
	f.BoolVar(&o.force, "force", false, "replace an OCI layout or tar archive at --oci-layout/--tarball that berth did not write")
	f.BoolVar(&o.outputs.Load, "load", false, "load the image into the Docker daemon at DOCKER_HOST")
	f.BoolVar(&o.outputs.Push, "push", false, "push the image to the registry of each tag")
	f.BoolVar(&o.outputs.Sign, "sign", false, "sign the pushed image and attest its SBOM and provenance, as cosign v3 verifies: with --key, else keyless with the environment's OIDC token (SIGSTORE_ID_TOKEN, GitHub Actions)")
	f.StringVar(&o.outputs.SignKey, "key", "", "the cosign private key --sign signs with (cosign generate-key-pair); its password from COSIGN_PASSWORD")
}

// addCargoFlags adds the flags that choose and build the binary; build and
// stage share them.
func (o *buildOptions) addCargoFlags(f *pflag.FlagSet) {
	o.addManifestPath(f)
	o.cargoFlags.add(f, "release", "link statically (musl when its std is installed, else glibc +crt-static)")
	o.addRunFlags(f)
	f.StringArrayVar(&o.binary, "binary", nil, "package this prebuilt ELF binary instead of running cargo; PLATFORM=PATH once per platform makes an index (--binary linux/amd64=a --binary linux/arm64=b)")
}

// addPlatformFlags adds the flags that choose the platforms and where
// their runtime files come from; build and resolve share them.
func (o *buildOptions) addPlatformFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&o.platforms, "platform", nil, "build for these platforms, cross-compiled with no emulation: linux/amd64, linux/arm64, linux/arm/v7, linux/riscv64 (comma-separated or repeated; default: the host)")
	f.StringVar(&o.runtimeFrom, "runtime-from", "", "take the runtime files (shared libraries, CA bundle) from this image, pulled for each platform, instead of the build machine")
}

// addRuntimeFlags adds the flags that shape the runtime files; build and
// stage share them.
func (o *buildOptions) addRuntimeFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&o.includes, "include", nil, "extra host file or directory, SRC:/DEST (repeatable)")
	f.StringVar(&o.sysroot, "sysroot", "", "take shared libraries and system files from this root instead of / (e.g. a cross target's)")
	f.StringArrayVar(&o.libraryPaths, "library-path", nil, "also look for shared libraries in this absolute directory, like LD_LIBRARY_PATH; the image gets LD_LIBRARY_PATH (repeatable)")
	f.BoolVar(&o.tzdata, "tzdata", false, "ship the zone database (Debian's tzdata); --tzdata=false never; default: when the binary reads it")
	f.BoolVar(&o.init, "init", false, "run the binary under tini (Debian's tini-static) as PID 1, which forwards signals and reaps children")
}

// addDebugFlags adds the flags about debugging the image: the debug
// information kept outside it, the variant with a shell.
func (o *buildOptions) addDebugFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.split, "split-debuginfo", false, "strip the image's binary and keep its debug information in a separate file linked by build-id, attached to the image (objcopy)")
	f.StringVar(&o.debugOut, "debuginfo-out", "", "with --split-debuginfo, also write the debug file to DIR/.build-id/xx/yyyy.debug (gdb's debug-file-directory, debuginfod)")
	f.BoolVar(&o.debugVariant, "debug-variant", false, "also make the image with a static busybox under /busybox (Debian's busybox-static), published under each tag with -debug appended")
}

// addSupplyFlags adds the flags about what supply-chain tools see: the
// crate list in the binary and the SBOM; build and stage share them.
func (o *buildOptions) addSupplyFlags(f *pflag.FlagSet) {
	f.StringVar(&o.sbom, "sbom", "spdx", "SBOM format: spdx (SPDX 2.3 JSON), cyclonedx (CycloneDX 1.6 JSON) or none")
	f.StringVar(&o.sbomOut, "sbom-out", "", "also write the SBOM to this file")
	f.BoolVar(&o.noAuditSection, "no-audit-section", false, "ship the exact bytes cargo wrote: no .dep-v0 crate list added to the binary")
}

// addProvenanceFlags adds the flags about the image's provenance; only
// build makes an image.
func (o *buildOptions) addProvenanceFlags(f *pflag.FlagSet) {
	f.StringVar(&o.provenance, "provenance", "slsa", "provenance attached to the image: slsa (an in-toto statement with SLSA v1 provenance) or none")
	f.StringVar(&o.provOut, "provenance-out", "", "also write the provenance statement (the index's, with several platforms) to this file")
	f.BoolVar(&o.remapPaths, "remap-paths", true, "give rustc neutral names for the workspace, CARGO_HOME and target directories (--remap-path-prefix), so that another checkout path, CARGO_HOME or user builds the same image; berth's cargo then uses target/.berth")
}

// runBuild prepares the build, opens the outputs (both check everything
// before cargo runs), builds and publishes; what was published, or why
// not, is reported in every outcome.
func runBuild(ctx context.Context, s *streams, o *buildOptions, changed map[string]bool) error {
	var rep publish.Report
	err := o.build(ctx, s, changed, &rep)
	return report(s, o.json, rep, err)
}

func (o *buildOptions) build(ctx context.Context, s *streams, changed map[string]bool, rep *publish.Report) error {
	req, err := o.request(s, changed)
	if err != nil {
		return err
	}
	plan, err := pipeline.Prepare(ctx, req)
	if err != nil {
		return err
	}
	out := o.outputs
	out.DefaultLayout, out.Platform = plan.DefaultLayout(), plan.LoadPlatform()
	sink, err := publish.Open(out, o.sinkOptions(s)...)
	if err != nil {
		return err
	}
	art, err := plan.Build(ctx)
	if err != nil {
		return err
	}
	published, err := sink.Publish(ctx, art, plan.Tags())
	*rep = publish.NewReport(art, published, err)
	return err
}

// request maps the flags to the pipeline's request.
func (o *buildOptions) request(s *streams, changed map[string]bool) (pipeline.Request, error) {
	if err := o.checkBinaryFlags(changed); err != nil {
		return pipeline.Request{}, err
	}
	if err := checkOutputPaths(o.sbomOut, o.provOut, o.outputs); err != nil {
		return pipeline.Request{}, err
	}
	if err := checkSignFlags(o.outputs); err != nil {
		return pipeline.Request{}, err
	}
	l, err := o.cargoFlags.layer(changed)
	if err != nil {
		return pipeline.Request{}, err
	}
	if err := o.settingFlags.layer(changed, &l.Values); err != nil {
		return pipeline.Request{}, err
	}
	if changed["remap-paths"] {
		l.Values.RemapPaths = &o.remapPaths
	}
	req := pipeline.Request{
		Settings: l, Cargo: o.CargoFlags, Sysroot: o.sysroot, RuntimeFrom: o.runtimeFrom,
		LibraryPaths: o.libraryPaths, LoadPlatform: o.loadPlatform, SBOMOut: o.sbomOut,
		ProvenanceOut: o.provOut, DebugInfoOut: o.debugOut, Version: Version(), Push: o.outputs.Push, Log: s.Err,
	}
	req.Binary, req.Binaries, err = parseBinaries(o.binary)
	return req, err
}

// parseBinaries reads --binary: one PATH, or PLATFORM=PATH per platform.
func parseBinaries(values []string) (string, []pipeline.PlatformBinary, error) {
	var one string
	var per []pipeline.PlatformBinary
	for _, v := range values {
		plat, path, ok := strings.Cut(v, "=")
		if _, err := pipeline.ParsePlatforms([]string{plat}); !ok || err != nil || !strings.Contains(plat, "/") {
			if one != "" || len(values) > 1 {
				return "", nil, usagef("--binary %s: with several --binary, give each as PLATFORM=PATH (e.g. linux/arm64=target/aarch64-unknown-linux-gnu/release/api)", v)
			}
			one = v
			continue
		}
		per = append(per, pipeline.PlatformBinary{Platform: plat, Path: path})
	}
	return one, per, nil
}

// checkBinaryFlags refuses cargo's flags with --binary, which skips cargo.
func (o *buildOptions) checkBinaryFlags(changed map[string]bool) error {
	if len(o.binary) == 0 {
		return nil
	}
	for _, f := range []string{"features", "no-default-features", "all-features", "target", "static", "profile", "release", "locked", "frozen", "offline", "zig"} {
		if changed[f] {
			return usagef("--%s has no effect with --binary, which skips cargo", f)
		}
	}
	return nil
}

// sinkOptions are the options every output gets.
func (o *buildOptions) sinkOptions(s *streams) []publish.Option {
	opts := []publish.Option{publish.WithProgress(s.Err)}
	if o.force {
		opts = append(opts, publish.WithForce())
	}
	return opts
}

func changedFlags(cmd *cobra.Command) map[string]bool {
	m := map[string]bool{}
	cmd.Flags().Visit(func(f *pflag.Flag) { m[f.Name] = true })
	return m
}

// settingFlags are the flags that are settings Cargo.toml and BERTH_* may
// give too.
type settingFlags struct {
	platforms      []string
	tags           []string
	base           string
	env            []string
	labels         []string
	expose         []string
	user           string
	includes       []string
	compression    string
	sbom           string
	provenance     string
	noAuditSection bool
	tzdata, init   bool
	split          bool
	debugVariant   bool
	health         healthFlags
}

func (o *settingFlags) add(f *pflag.FlagSet) {
	f.StringArrayVarP(&o.tags, "tag", "t", nil, "image reference, e.g. registry/name:tag (repeatable)")
	f.StringVar(&o.base, "base", "auto", "auto (exact runtime closure), scratch (binary only) or a base image reference")
	f.StringArrayVar(&o.env, "env", nil, "environment variable K=V (repeatable)")
	f.StringArrayVar(&o.labels, "label", nil, "image label K=V (repeatable)")
	f.StringArrayVar(&o.expose, "expose", nil, "port to expose, PORT[/tcp|/udp] (repeatable)")
	f.StringVar(&o.user, "user", "65532:65532", "user the binary runs as")
	f.StringVar(&o.compression, "compression", "gzip", "layer compression: gzip (every engine) or zstd (smaller, faster; Docker 23+, containerd 1.5+)")
	o.health.add(f)
}

// layer puts the setting flags the user set into v.
func (o *settingFlags) layer(changed map[string]bool, v *config.Build) error {
	setStrings(changed, []stringFlag{{"base", &v.Base, &o.base}, {"user", &v.User, &o.user}, {"compression", &v.Compression, &o.compression}, {"sbom", &v.SBOM, &o.sbom}, {"provenance", &v.Provenance, &o.provenance}})
	lists := []struct {
		flag string
		to   *[]string
		val  []string
	}{{"tag", &v.Tags, o.tags}, {"expose", &v.Expose, o.expose}, {"include", &v.Include, o.includes}, {"platform", &v.Platforms, o.platforms}}
	for _, l := range lists {
		if changed[l.flag] {
			*l.to = l.val
		}
	}
	if changed["no-audit-section"] {
		on := !o.noAuditSection
		v.AuditSection = &on
	}
	o.runtimeSettings(changed, v)
	return o.pairs(changed, v)
}

// runtimeSettings puts the runtime flags the user set into v.
func (o *settingFlags) runtimeSettings(changed map[string]bool, v *config.Build) {
	bools := []struct {
		flag string
		to   **bool
		val  bool
	}{{"tzdata", &v.TZData, o.tzdata}, {"init", &v.Init, o.init}, {"split-debuginfo", &v.SplitDebuginfo, o.split},
		{"debug-variant", &v.DebugVariant, o.debugVariant},
	}
	for _, b := range bools {
		if changed[b.flag] {
			val := b.val
			*b.to = &val
		}
	}
	o.health.layer(changed, v)
}

// pairs reads --env and --label.
func (o *settingFlags) pairs(changed map[string]bool, v *config.Build) error {
	var err error
	if changed["env"] {
		if v.Env, err = config.ParsePairs(o.env); err != nil {
			return usagef("--env: %v", err)
		}
	}
	if changed["label"] {
		if v.Labels, err = config.ParsePairs(o.labels); err != nil {
			return usagef("--label: %v", err)
		}
	}
	return nil
}

// stringFlag is a string setting given as a flag: the flag's name, the
// setting it sets, and the flag's value.
type stringFlag struct {
	flag string
	to   **string
	val  *string
}

// setStrings sets each setting whose flag the user gave.
func setStrings(changed map[string]bool, flags []stringFlag) {
	for _, s := range flags {
		if changed[s.flag] {
			*s.to = s.val
		}
	}
}
