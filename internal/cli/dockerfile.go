package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/dockerfile"
	"github.com/berth-dev/berth/internal/recipe"
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

func newDockerfileCmd(s *streams) *cobra.Command {
	o := &dockerfileOptions{}
	cmd := &cobra.Command{
		Use:   "dockerfile [flags]",
		Short: "Write an optimized, readable Dockerfile and .dockerignore for the project",
		Long: `Write a Dockerfile and a .dockerignore at the root of the build context (the
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
--runtime other than closure, RUNTIME_IMAGE.`,
		Example: `  cargo berth dockerfile
  cargo berth dockerfile --bin api --runtime distroless
  cargo berth dockerfile --no-cache-mounts --force   # for the legacy builder
  cargo berth dockerfile --platform linux/amd64,linux/arm64   # cross-compiles, no emulation`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDockerfile(s, o, changedFlags(cmd)) },
	}
	f := cmd.Flags()
	f.SortFlags = false
	o.cargoFlags.add(f, "link statically (musl with a -musl --target, else glibc +crt-static)")
	f.StringArrayVar(&o.platforms, "platform", nil, "write a Dockerfile that cross-compiles, for `docker buildx build --platform` with these platforms (linux/amd64, linux/arm64, linux/arm/v7, linux/riscv64; comma-separated or repeated)")
	f.StringVar(&o.runtime, "runtime", "closure", "closure (FROM scratch with the exact runtime files), distroless, or an image reference")
	f.StringVar(&o.planner, "planner", "manifests", "what the planner stage reads: manifests (the files the recipe is made of, listed now) or context (all of it)")
	f.BoolVar(&o.noCacheMounts, "no-cache-mounts", false, "no BuildKit cache mounts, for the legacy builder")
	f.BoolVar(&o.force, "force", false, "overwrite an existing Dockerfile and .dockerignore")
	return cmd
}

func runDockerfile(s *streams, o *dockerfileOptions, changed map[string]bool) error {
	manifest, err := findManifest(o.manifestPath)
	if err != nil {
		return err
	}
	runtimeImage, err := o.runtimeImage()
	if err != nil {
		return err
	}
	if o.planner != "manifests" && o.planner != "context" {
		return usagef("--planner %q: want manifests or context", o.planner)
	}
	ws, err := cargo.LoadWorkspace(o.manifestPath)
	if err != nil {
		return err
	}
	pr := ws.Project()
	sel, cfg, err := settings(pr, o.cargoFlags.layer(changed), func(bin string) (cargo.Selection, error) {
		return pr.SelectBinaryFrom(manifest, o.pkg, bin)
	})
	if err != nil {
		return err
	}
	spec, dir, err := o.spec(s, ws, sel, cfg, runtimeImage)
	if err != nil {
		return err
	}
	carryRuntimeSettings(s, cfg, &spec, changed["runtime"])
	noZigInBuilder(s, cfg, &spec)
	carrySupplySettings(cfg, &spec)
	files, err := dockerfile.Render(spec)
	if err != nil {
		return err
	}
	return o.write(s, dir, files, sel.Bin, spec.Platforms)
}

// spec maps the project and the flags to the renderer's Spec; it returns
// the build context's directory too.
func (o *dockerfileOptions) spec(s *streams, ws *cargo.Workspace, sel cargo.Selection, cfg config.Resolved, runtimeImage string) (dockerfile.Spec, string, error) {
	dir := ws.ContextDir()
	wsDir, err := filepath.Rel(dir, ws.Root)
	if err != nil {
		return dockerfile.Spec{}, "", err
	}
	wsDir = filepath.ToSlash(wsDir)
	spec := dockerfile.Spec{
		Bin: sel.Bin, Package: sel.Package.Name, WorkspaceDir: wsDir,
		Profile: *cfg.Profile, Features: o.features, NoDefaultFeatures: o.noDefaultFeatures,
		AllFeatures: o.allFeatures, Target: o.target, Static: cfg.Static != nil && *cfg.Static,
		CacheMounts: !o.noCacheMounts, BerthImage: berthImage(), RuntimeImage: runtimeImage,
		Env: sortedKV(cfg.Env), Labels: sortedKV(cfg.Labels), Expose: cfg.Expose, User: *cfg.User,
	}
	if wsDir != "." {
		spec.IgnoreDirs = []string{wsDir + "/target"}
	}
	if spec.Platforms, err = dockerfilePlatforms(o.platforms, cfg); err != nil {
		return dockerfile.Spec{}, "", err
	}
	if o.planner == "manifests" {
		in := dockerfile.Inputs(recipe.PlannerInputs(ws))
		if err := in.Plain(); err != nil {
			fmt.Fprintf(s.Err, "warning: the planner stage reads the whole context: %v\n", err)
		} else {
			spec.Inputs = &in
		}
	}
	if _, err := os.Stat(filepath.Join(ws.Root, "Cargo.lock")); err == nil {
		spec.Locked = true
	} else {
		fmt.Fprintf(s.Err, "warning: no Cargo.lock in %s: the image builds without --locked and every build resolves dependency versions anew; run `cargo generate-lockfile` and commit Cargo.lock\n", ws.Root)
	}
	channel, err := toolchainChannel(ws)
	if err != nil {
		return dockerfile.Spec{}, "", err
	}
	spec.RustImage, spec.RustImageSource = dockerfile.RustImage(channel, rustVersion(ws, sel.Package.ManifestPath))
	return spec, dir, nil
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

// berthImage is the published image of this very berth; a development
// build points at the latest release.
func berthImage() string {
	v := Version()
	if v == "" || v == "dev" || strings.Contains(v, "+") {
		return berthImageRepo + ":latest"
	}
	return berthImageRepo + ":" + v
}

// toolchainChannel is the channel of the rust-toolchain file rustup would
// use for a build at the workspace root ("" when there is none).
func toolchainChannel(ws *cargo.Workspace) (string, error) {
	for _, f := range ws.BuildFiles() {
		if !f.Toolchain {
			continue
		}
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", f.Path, err)
		}
		return parseChannel(f.Path, data)
	}
	return "", nil
}

// parseChannel reads [toolchain] channel, or the legacy one-line form.
func parseChannel(path string, data []byte) (string, error) {
	text := strings.TrimSpace(string(data))
	if text != "" && !strings.ContainsAny(text, "[=\n") {
		return text, nil
	}
	raw, err := cargo.DecodeTOML(path, data)
	if err != nil {
		return "", err
	}
	channel, _ := cargo.Table(raw, "toolchain")["channel"].(string)
	return channel, nil
}

// rustVersion is the package's rust-version, following
// `rust-version.workspace = true`.
func rustVersion(ws *cargo.Workspace, manifestPath string) string {
	for _, p := range ws.Packages {
		if p.Manifest.Path != manifestPath {
			continue
		}
		switch v := cargo.Table(p.Manifest.Raw, "package")["rust-version"].(type) {
		case string:
			return v
		case map[string]any:
			if v["workspace"] == true {
				s, _ := cargo.Table(ws.RootManifest.Raw, "workspace", "package")["rust-version"].(string)
				return s
			}
		}
	}
	return ""
}

// write writes both files, or neither when one exists and --force is not
// given.
func (o *dockerfileOptions) write(s *streams, dir string, files *dockerfile.Files, bin string, platforms []string) error {
	outs := []struct {
		name string
		data []byte
	}{{"Dockerfile", files.Dockerfile}, {".dockerignore", files.Dockerignore}}
	// Both outputs are checked before either is written: a refusal
	// changes nothing.
	for _, f := range outs {
		p := filepath.Join(dir, f.name)
		info, err := os.Lstat(p)
		switch {
		case err != nil:
		case !info.Mode().IsRegular():
			return fmt.Errorf("%s is not a regular file (a directory or a symbolic link), which berth does not replace, even with --force: move it away; nothing was written", p)
		case !o.force:
			return fmt.Errorf("%s already exists; berth does not overwrite it: pass --force to replace it (and %s)", p, otherName(f.name))
		}
	}
	for _, f := range outs {
		p := filepath.Join(dir, f.name)
		data := f.data
		if err := atomicfile.WriteFile(p, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
		fmt.Fprintln(s.Out, p)
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

func otherName(n string) string {
	if n == "Dockerfile" {
		return ".dockerignore"
	}
	return "Dockerfile"
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
