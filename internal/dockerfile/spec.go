package dockerfile

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// DefaultRustVersion is the Rust release RUST_IMAGE defaults to when the
// project names none (no rust-toolchain file, no rust-version): the current
// stable when this berth was released.
const DefaultRustVersion = "1.95"

// Default runtime images for --runtime distroless: glibc's C runtime for a
// dynamic binary, nothing at all for a static one; both run as nonroot.
const (
	DistrolessCC     = "gcr.io/distroless/cc-debian12:nonroot"
	DistrolessStatic = "gcr.io/distroless/static-debian12:nonroot"
)

// Spec is everything a generated Dockerfile depends on. Bin, Package,
// RustImage and BerthImage are required.
type Spec struct {
	// Bin is the binary target to build and run; Package owns it.
	Bin     string
	Package string
	// WorkspaceDir is the workspace root relative to the build context,
	// slash-separated; "" or "." when the context is the workspace root.
	WorkspaceDir string
	// Profile is the cargo profile; "" means release.
	Profile           string
	Features          []string
	NoDefaultFeatures bool
	AllFeatures       bool
	// Target is the target triple; "" means the builder's own.
	Target string
	// Static links the C runtime statically (musl, or glibc +crt-static).
	Static bool
	// Platforms, when set, make a cross-compiling Dockerfile: the planner
	// and builder run on the build platform ($BUILDPLATFORM) and cook and
	// stage build for $TARGETPLATFORM, so `docker buildx build --platform`
	// needs no emulation for the compiler. They are the platforms named in
	// the header's build command (linux/amd64, linux/arm64, ...).
	Platforms []string
	// Locked passes --locked: the project has a Cargo.lock.
	Locked bool
	// CacheMounts mounts cargo's registry and git caches (BuildKit only).
	CacheMounts bool
	// RustImage is RUST_IMAGE's default; RustImageSource says where it
	// comes from, for a comment ("rust-toolchain.toml channel 1.82").
	RustImage       string
	RustImageSource string
	// BerthImage is BERTH_IMAGE's default: an image with a static
	// /usr/local/bin/cargo-berth; BerthImageNote, when set, is a comment
	// line about it (which berth wrote the file).
	BerthImage     string
	BerthImageNote string
	// RuntimeImage, when set, is RUNTIME_IMAGE's default and the runtime
	// stage copies only the binary into it; when empty the runtime is
	// FROM scratch with the binary and its exact runtime files.
	RuntimeImage string
	// StageBase, when set, is passed to the stage step as --base (auto or
	// scratch): the builder must never pull an image (a base image from
	// the settings becomes RuntimeImage instead), and a setting that came
	// from the environment is not there when the image builds.
	StageBase string
	// Zig makes cook and stage pass --zig: berth's own `zig cc` wrapper
	// links every explicit target (a glibc-suffixed Target too), so
	// RUST_IMAGE must have zig (on PATH, or BERTH_ZIG_PATH set in it).
	// Both steps run in the builder with the same zig, so they hand cargo
	// the same wrapper paths and cook's dependencies stay fresh for stage.
	Zig bool
	// StageNoZig passes --zig=false to the stage step: zig is off for this
	// Dockerfile, and a zig = true in Cargo.toml (which stage reads in the
	// builder) must not turn it on for stage alone.
	StageNoZig bool
	// Includes are passed to the stage step as --include SRC:DEST (host
	// paths relative to the workspace root, which is the build context's
	// copy in the builder).
	Includes []string
	// SBOM is the sbom setting: spdx ("" too), cyclonedx or none. stage
	// writes the SBOM to /berth/sbom.spdx.json or /berth/sbom.cdx.json,
	// which the sbom stage exports; with none there is neither.
	SBOM string
	// NoAuditSection is audit-section false: the staged binary is the file
	// cargo wrote, with no crate list added.
	NoAuditSection bool
	// StageSBOM and StageAuditSection pass SBOM and NoAuditSection to the
	// stage step as --sbom and --no-audit-section: a setting from the
	// environment is not there when the image builds (one from Cargo.toml,
	// stage reads itself).
	StageSBOM, StageAuditSection bool
	// Inputs, when set, are all the planner stage copies: the files the
	// recipe is made of, so that a source edit leaves the planner (and the
	// cook step after it) cached. When nil the planner reads the whole
	// context and never needs updating, for one container start more per
	// build.
	Inputs *Inputs
	// IgnoreDirs are extra directories for .dockerignore, relative to the
	// context (cargo's target directory of a nested workspace, say);
	// "target/" is always there.
	IgnoreDirs []string
	// Env and Labels become ENV and LABEL lines of the runtime image, in
	// order; Expose its EXPOSE ports ("8080/tcp"). User is the user it runs
	// as; "" means 65532:65532.
	Env, Labels []KV
	Expose      []string
	User        string
	// Init runs the binary under Debian's tini (/usr/bin/tini-static):
	// the builder installs it, stage gets --init and the entrypoint
	// starts with it.
	Init bool
	// TZData is the tzdata setting when one is set, "true" or "false":
	// stage gets --tzdata=..., and true installs Debian's tzdata in the
	// builder; "" leaves the choice to stage (shipped when the binary
	// reads the zone database and the builder has it).
	TZData string
	// Health is the runtime image's HEALTHCHECK; nil for none.
	Health *Health
}

// Health is a HEALTHCHECK line: Test as Docker's Healthcheck holds it
// (["CMD", args...], ["CMD-SHELL", command] or ["NONE"]) and its options;
// a zero option is left to docker's default.
type Health struct {
	Test                           []string
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
}

// Inputs are the paths a recipe is made of, relative to the build context
// and slash-separated (recipe.Inputs, converted).
type Inputs struct {
	// Files are copied one by one; Dirs whole.
	Files, Dirs []string
	// Targets are the target files prepare takes as present (--assume-file).
	Targets []string
}

// Plain reports the first path that cannot be written into a COPY line or
// an exec-form argument as is (spaces, glob or quote characters, ..), or
// nil when every path can.
func (in Inputs) Plain() error {
	for _, list := range [][]string{in.Files, in.Dirs, in.Targets} {
		for _, p := range list {
			if !inContext(p) {
				return fmt.Errorf("dockerfile: the path %q has characters a COPY line cannot carry as is", p)
			}
		}
	}
	return nil
}

// inContext reports whether p is a plain relative path that stays inside
// the build context: one a Dockerfile line carries as is.
func inContext(p string) bool {
	return relDir.MatchString(p) && !strings.Contains(p, "..")
}

// KV is one key and value of an ENV or LABEL line.
type KV struct{ Key, Value string }

var (
	cargoName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	triple    = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	feature   = regexp.MustCompile(`^[A-Za-z0-9_+./?:-]+$`)
	imageRef  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:/@-]*$`)
	envKey    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	labelKey  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	port      = regexp.MustCompile(`^[0-9]{1,5}(/(tcp|udp|sctp))?$`)
	user      = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$`)
	relDir    = regexp.MustCompile(`^[A-Za-z0-9_.@+-][A-Za-z0-9_./@+-]*$`)
	stageBase = regexp.MustCompile(`^(auto|scratch)$`)
	sbomName  = regexp.MustCompile(`^(spdx|cyclonedx|none)$`)
	platform  = regexp.MustCompile(`^[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?$`)
	include   = regexp.MustCompile(`^[A-Za-z0-9_.@+-][A-Za-z0-9_./@+-]*:/[A-Za-z0-9_./@+-]*$`)
)

// check is one value Validate holds to a pattern.
type check struct {
	what, value string
	re          *regexp.Regexp
	required    bool
}

// Validate checks that every value can be written into a Dockerfile as is:
// names cargo accepts, image references without spaces, relative paths.
func (s Spec) Validate() error {
	checks := []check{
		{"binary name", s.Bin, cargoName, true},
		{"package name", s.Package, cargoName, true},
		{"profile", s.Profile, cargoName, false},
		{"target triple", s.Target, triple, false},
		{"RUST_IMAGE", s.RustImage, imageRef, true},
		{"BERTH_IMAGE", s.BerthImage, imageRef, true},
		{"RUNTIME_IMAGE", s.RuntimeImage, imageRef, false},
		{"workspace directory", s.WorkspaceDir, relDir, false},
		{"user", s.User, user, false},
		{"stage base", s.StageBase, stageBase, false},
		{"SBOM format", s.SBOM, sbomName, false},
	}
	for _, kv := range s.Env {
		checks = append(checks, check{"environment variable name", kv.Key, envKey, true})
	}
	for _, kv := range s.Labels {
		checks = append(checks, check{"label key", kv.Key, labelKey, true})
	}
	for _, p := range s.Expose {
		checks = append(checks, check{"exposed port", p, port, true})
	}
	for _, in := range s.Includes {
		checks = append(checks, check{"include (a relative SRC:/DEST)", in, include, true})
	}
	for _, c := range checks {
		if c.value == "" {
			if c.required {
				return fmt.Errorf("dockerfile: the %s is required", c.what)
			}
			continue
		}
		if !c.re.MatchString(c.value) {
			return fmt.Errorf("dockerfile: %s %q has characters a Dockerfile line cannot carry safely", c.what, c.value)
		}
	}
	for _, kv := range append(append([]KV(nil), s.Env...), s.Labels...) {
		if strings.ContainsAny(kv.Value, "\r\n") {
			return fmt.Errorf("dockerfile: the value of %s spans lines, which an ENV or LABEL line cannot carry", kv.Key)
		}
	}
	if err := s.validateRuntime(); err != nil {
		return err
	}
	for _, f := range s.Features {
		if !feature.MatchString(f) {
			return fmt.Errorf("dockerfile: feature %q is not a cargo feature name", f)
		}
	}
	if err := s.validatePlatforms(); err != nil {
		return err
	}
	if s.Zig && s.StageNoZig {
		return fmt.Errorf("dockerfile: zig both on (cook and stage pass --zig) and off for stage: choose one")
	}
	return s.validatePaths()
}

// validatePaths checks the paths inside the build context.
func (s Spec) validatePaths() error {
	if s.Inputs != nil {
		if err := s.Inputs.Plain(); err != nil {
			return err
		}
	}
	for _, d := range s.IgnoreDirs {
		if !inContext(d) {
			return fmt.Errorf("dockerfile: ignored directory %q must be a plain path inside the context", d)
		}
	}
	if s.WorkspaceDir != "" && strings.Contains(s.WorkspaceDir, "..") {
		return fmt.Errorf("dockerfile: workspace directory %q must be inside the build context", s.WorkspaceDir)
	}
	return nil
}

// RustImage returns the official rust image for a toolchain channel (from
// rust-toolchain or rust-toolchain.toml) or, when channel is "", for a
// rust-version, and where the choice came from. Channels with no official
// image (nightly, beta, dated) get the default stable image: rustup in that
// image installs the channel the toolchain file names during the build.
func RustImage(channel, rustVersion string) (image, source string) {
	if v, ok := release(channel); ok {
		return "rust:" + v + "-bookworm", "the rust-toolchain channel " + channel
	}
	if channel == "stable" {
		return "rust:1-bookworm", "the rust-toolchain channel stable"
	}
	if channel == "" {
		if v, ok := release(rustVersion); ok {
			return "rust:" + v + "-bookworm", "the package's rust-version " + rustVersion
		}
	}
	src := "berth's default, the stable release it knows"
	if channel != "" {
		src = "berth's default; rustup in it installs the rust-toolchain channel " + channel
	}
	return "rust:" + DefaultRustVersion + "-bookworm", src
}

var releaseRe = regexp.MustCompile(`^1\.[0-9]+(\.[0-9]+)?$`)

// release reports whether v is a release number like 1.82 or 1.82.0.
func release(v string) (string, bool) {
	return v, releaseRe.MatchString(v)
}

func (s Spec) validatePlatforms() error {
	for _, p := range s.Platforms {
		if !platform.MatchString(p) {
			return fmt.Errorf("dockerfile: platform %q is not OS/ARCH[/VARIANT]", p)
		}
	}
	if len(s.Platforms) > 0 && s.Target != "" {
		return fmt.Errorf("dockerfile: platforms and a target triple (%s) cannot be combined: each platform chooses its triple", s.Target)
	}
	return nil
}
