package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/dockerfile"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newDockerfileCmd) }

// berthImageRepo is where berth's own image is published.
const berthImageRepo = "ghcr.io/berth-dev/berth"

// dockerfileOptions are the flags of `cargo berth dockerfile`.
type dockerfileOptions struct {
	cargoFlags
	platforms     []string
	runtime       string
	planner       string
	noCacheMounts bool
	force         bool
}

const dockerfileLong = `Write a Dockerfile and a .dockerignore at the root of the build context (the
workspace root, or the directory above it that also holds its path
dependencies). Existing files are kept unless --force is given.

The Dockerfile cooks the dependencies from a recipe (cargo berth prepare and
cook), so that editing your code or bumping a version rebuilds only your
crates. Its planner stage copies only the files the recipe is made of
(manifests, Cargo.lock, cargo config and toolchain files), listed when the
Dockerfile is written, so a source edit runs no container for it; after adding
or removing a crate or a target, write the Dockerfile again (the build warns).
--planner context reads the whole build context instead: never out of date,
one container start more per build. The Dockerfile then stages the binary
with exactly the files it needs at run time and copies them into a FROM
scratch image that runs as user 65532.
Build arguments: RUST_IMAGE (default: the official rust image of the
project's toolchain), BERTH_IMAGE (berth's published image) and, with
--runtime other than closure, RUNTIME_IMAGE.`

func newDockerfileCmd(s *streams) *cobra.Command {
	o := &dockerfileOptions{}
	cmd := &cobra.Command{
		Use:   "dockerfile [flags]",
		Short: "Write an optimized, readable Dockerfile and .dockerignore for the project",
		Long:  dockerfileLong,
		Example: `  cargo berth dockerfile
  cargo berth dockerfile --bin api --runtime distroless
  cargo berth dockerfile --no-cache-mounts --force   # for the legacy builder
  cargo berth dockerfile --platform linux/amd64,linux/arm64   # cross-compiles, no emulation`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDockerfile(cmd.Context(), s, o, changedFlags(cmd))
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	o.addManifestPath(f)
	o.cargoFlags.add(f, "release", "link statically (musl with a -musl --target, else glibc +crt-static)")
	f.BoolVar(&o.zig, "zig", false, "cook and stage link with zig (they pass --zig), so RUST_IMAGE must have zig; --target may name a glibc version (x86_64-unknown-linux-gnu.2.17); "+
		"--zig=false links with the builder's toolchain even with zig = true in Cargo.toml")
	f.StringArrayVar(&o.platforms, "platform", nil, "write a Dockerfile that cross-compiles, for `docker buildx build --platform` with these platforms (linux/amd64, linux/arm64, linux/arm/v7, linux/riscv64; comma-separated or repeated)")
	f.StringVar(&o.runtime, "runtime", "closure", "closure (FROM scratch with the exact runtime files), distroless, or an image reference")
	f.StringVar(&o.planner, "planner", "manifests", "what the planner stage reads: manifests (the files the recipe is made of, listed now) or context (all of it)")
	f.BoolVar(&o.noCacheMounts, "no-cache-mounts", false, "no BuildKit cache mounts, for the legacy builder")
	f.BoolVar(&o.force, "force", false, "overwrite an existing Dockerfile and .dockerignore")
	return cmd
}

func runDockerfile(ctx context.Context, s *streams, o *dockerfileOptions, changed map[string]bool) error {
	runtimeImage, err := o.runtimeImage()
	if err != nil {
		return err
	}
	if o.planner != "manifests" && o.planner != "context" {
		return usagef("--planner %q: want manifests or context", o.planner)
	}
	if len(o.Targets) > 1 {
		return usagef("--target given %d times: the Dockerfile builds one binary; for several platforms give --platform", len(o.Targets))
	}
	l, err := o.cargoFlags.layer(changed)
	if err != nil {
		return err
	}
	d, err := pipeline.Describe(ctx, pipeline.Request{Settings: l, Cargo: o.CargoFlags, Log: s.Err})
	if err != nil {
		return err
	}
	spec, err := o.spec(s, d, runtimeImage)
	if err != nil {
		return err
	}
	if err := carrySettings(s, d.Settings, &spec, changed["runtime"]); err != nil {
		return err
	}
	files, err := dockerfile.Render(spec)
	if err != nil {
		return err
	}
	return o.write(ctx, s, d.ContextDir, files, d.Bin, spec.Platforms)
}

// spec maps the project and the flags to the renderer's Spec.
func (o *dockerfileOptions) spec(s *streams, d *pipeline.Described, runtimeImage string) (dockerfile.Spec, error) {
	cfg := d.Settings
	spec := dockerfile.Spec{
		Bin: d.Bin, Package: d.Package, WorkspaceDir: d.WorkspaceDir,
		Profile: *cfg.Profile, Features: o.Features, NoDefaultFeatures: o.NoDefaultFeatures,
		AllFeatures: o.AllFeatures, Static: cfg.Static != nil && *cfg.Static,
		CacheMounts: !o.noCacheMounts, RuntimeImage: runtimeImage,
		Env: sortedKV(cfg.Env), Labels: sortedKV(cfg.Labels), Expose: cfg.Expose, User: *cfg.User,
		Locked: d.Locked,
	}
	spec.BerthImage, spec.BerthImageNote = berthImage()
	if len(o.Targets) == 1 {
		spec.Target = o.Targets[0]
	}
	if d.WorkspaceDir != "." {
		spec.IgnoreDirs = []string{d.WorkspaceDir + "/target"}
	}
	var err error
	if spec.Platforms, err = dockerfilePlatforms(o.platforms, cfg); err != nil {
		return dockerfile.Spec{}, err
	}
	if o.planner == "manifests" {
		in := dockerfile.Inputs(d.Planner)
		if err := in.Plain(); err != nil {
			fmt.Fprintf(s.Err, "warning: the planner stage reads the whole context: %v\n", err)
		} else {
			spec.Inputs = &in
		}
	}
	if !d.Locked {
		fmt.Fprintf(s.Err, "warning: no Cargo.lock in %s: the image builds without --locked and every build resolves dependency versions anew; run `cargo generate-lockfile` and commit Cargo.lock\n", d.Root)
	}
	spec.RustImage, spec.RustImageSource = dockerfile.RustImage(d.Channel, d.RustVersion)
	return spec, nil
}

// dockerfilePlatforms are the platforms a cross-compiling Dockerfile names:
// the flag's, else the settings' (platforms in Cargo.toml, BERTH_PLATFORMS).
func dockerfilePlatforms(flag []string, cfg config.Resolved) ([]string, error) {
	values, from := flag, "--platform"
	if len(values) == 0 {
		values, from = cfg.Platforms, cfg.Source("platforms")
	}
	ps, err := pipeline.ParsePlatforms(values)
	if err != nil {
		return nil, usagef("%v (platforms from %s)", err, from)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out, nil
}

// carrySettings maps the settings the Dockerfile's stages need onto it.
func carrySettings(s *streams, cfg config.Resolved, spec *dockerfile.Spec, runtimeChosen bool) error {
	carryRuntimeSettings(s, cfg, spec, runtimeChosen)
	carryZig(s, cfg, spec)
	carrySupplySettings(cfg, spec)
	return carryExtraSettings(cfg, spec)
}

// carryZig maps `dockerfile --zig` onto the Dockerfile: cook and stage
// pass --zig and the builder (RUST_IMAGE) must have zig, which berth says.
// zig on from Cargo.toml or BERTH_ZIG is not taken: it describes the
// machines cargo berth build runs on (a Mac has no other Linux linker),
// while the Dockerfile's builder is another machine, and the official rust
// images have no zig; a Dockerfile that needed it by default would break
// `docker build` for every team that turned zig on for its laptops. Unless
// the flag turns zig on, stage gets --zig=false, so that a zig = true in
// Cargo.toml (which stage reads in the builder) cannot turn zig on for
// stage alone, leaving cook's dependencies stale.
func carryZig(s *streams, cfg config.Resolved, spec *dockerfile.Spec) {
	switch {
	case cfg.Zig == nil:
	case *cfg.Zig && cfg.Source("zig") == flagLayer:
		spec.Zig = true
		fmt.Fprintf(s.Err, "zig is on (--zig): the Dockerfile's cook and stage pass --zig, so RUST_IMAGE must have zig 0.11.0 or newer (the official rust images have none)\n")
	case *cfg.Zig:
		spec.StageNoZig = true
		fmt.Fprintf(s.Err, "zig is on for cargo berth build (from %s), not in the Dockerfile: its builder links with its own toolchain (stage gets --zig=false); pass --zig to link with zig there, on a RUST_IMAGE that has it\n", cfg.Origin("zig"))
	default:
		spec.StageNoZig = true
	}
}

// carryRuntimeSettings maps the base and include settings onto the
// Dockerfile. Its stage step reads Cargo.toml in the builder, so settings
// from there apply as they are; but it must never pull a base image (a base
// image becomes the runtime stage's FROM, unless --runtime chose one), and
// settings from the environment are not there when the image builds.
func carryRuntimeSettings(s *streams, cfg config.Resolved, spec *dockerfile.Spec, runtimeChosen bool) {
	base, fromEnv := *cfg.Base, func(key string) bool { return cfg.Source(key) == config.EnvLayer }
	switch {
	case base == "auto":
	case base == "scratch" && spec.RuntimeImage == "":
		if fromEnv("base") {
			spec.StageBase = base
		}
	case strings.HasPrefix(base, "oci:"):
		spec.StageBase = "auto"
		fmt.Fprintf(s.Err, "warning: base %s (from %s) is an image layout on this machine, which a Dockerfile cannot start from; push it and set base to its reference, or pass --runtime IMAGE\n", base, cfg.Source("base"))
	default:
		spec.StageBase = "auto"
		if spec.RuntimeImage == "" && !runtimeChosen {
			spec.RuntimeImage = base
			fmt.Fprintf(s.Err, "the runtime stage starts FROM %s (base from %s), with the binary copied in\n", base, cfg.Source("base"))
		}
	}
	switch {
	case len(cfg.Include) == 0:
	case spec.RuntimeImage != "":
		fmt.Fprintf(s.Err, "warning: include (from %s) is not carried onto the runtime image %s: add COPY lines to the Dockerfile's runtime stage\n", cfg.Source("include"), spec.RuntimeImage)
	case fromEnv("include"):
		spec.Includes = cfg.Include
	}
}

// carrySupplySettings maps sbom and audit-section onto the Dockerfile: the
// SBOM's file and the sbom stage follow the format. The stage step reads
// Cargo.toml in the builder; a setting from the environment becomes a flag.
func carrySupplySettings(cfg config.Resolved, spec *dockerfile.Spec) {
	spec.SBOM, spec.NoAuditSection = *cfg.SBOM, !*cfg.AuditSection
	spec.StageSBOM = cfg.Source("sbom") == config.EnvLayer
	spec.StageAuditSection = cfg.Source("audit-section") == config.EnvLayer
}

// runtimeImage maps --runtime to RUNTIME_IMAGE's default, "" for closure.
func (o *dockerfileOptions) runtimeImage() (string, error) {
	switch o.runtime {
	case "closure", "":
		return "", nil
	case "distroless":
		if o.static {
			return dockerfile.DistrolessStatic, nil
		}
		return dockerfile.DistrolessCC, nil
	}
	_, err := name.ParseReference(o.runtime)
	if err != nil {
		return "", usagef("--runtime %q: want closure, distroless or an image reference: %v", o.runtime, err)
	}
	return o.runtime, nil
}

// berthImage is the image of this very berth, at its version (a release
// publishes it; see the Makefile's release target), and the comment that
// says so. A development build has no published image, never "latest"
// (another berth): it names berth:dev, which `make image` builds.
func berthImage() (ref, note string) {
	v := Version()
	if v == "" || v == "dev" || strings.Contains(v, "+") {
		return devBerthImage, fmt.Sprintf("Written by a development build of berth (%s), which has no published image: build it with `make image` in berth's tree (it is %s), or pass --build-arg BERTH_IMAGE=%s:<release>.", orDev(v), devBerthImage, berthImageRepo)
	}
	return berthImageRepo + ":" + v, "The image of berth " + v + ", which wrote this file."
}

// devBerthImage is the image `make image` builds from a working tree.
const devBerthImage = "berth:dev"

func orDev(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

// write writes both files, or neither when one is in the way, and says
// how to build.
func (o *dockerfileOptions) write(ctx context.Context, s *streams, dir string, files *dockerfile.Files, bin string, platforms []string) error {
	paths, err := files.Write(ctx, dir, o.force)
	for _, p := range paths {
		fmt.Fprintln(s.Out, p)
	}
	if err != nil {
		return err
	}
	how := "docker buildx build"
	switch {
	case len(platforms) > 0:
		how += " --platform " + strings.Join(platforms, ",")
	case o.noCacheMounts:
		how = "docker build"
	}
	fmt.Fprintf(s.Err, "wrote Dockerfile and .dockerignore in %s; build with: %s -t %s %s\n", dir, how, strings.ToLower(bin), dockerfile.ShellWord(dir))
	return nil
}

// sortedKV is m's entries sorted by key, for stable Dockerfile lines.
func sortedKV(m map[string]string) []dockerfile.KV {
	out := make([]dockerfile.KV, 0, len(m))
	for k, v := range m {
		out = append(out, dockerfile.KV{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
