package dockerfile

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"lower": strings.ToLower,
	"quote": quote,
}).ParseFS(templateFS, "templates/*.tmpl"))

// Files are the rendered files, written at the build context's root.
type Files struct {
	Dockerfile   []byte
	Dockerignore []byte
}

// Paths of the cache mounts: CARGO_HOME of the official rust images.
// BuildKit's built-in frontend does not expand variables in --mount, so
// they cannot follow $CARGO_HOME.
const (
	cargoHome  = "/usr/local/cargo"
	seedDir    = "/berth/target-cache"
	hostTarget = `TARGET="$(rustc -vV | sed -n 's/^host: //p')" && `
)

// view is what the templates see: every command line already spelled.
type view struct {
	Spec
	PrepareArgs  string   // prepare's command line, exec form (JSON)
	Copies       []string // the planner's COPY lines' arguments, with Inputs
	BuildDir     string   // the builder's WORKDIR for the final build
	Mounts       string   // RUN flags, each followed by " \\\n    "
	SeedMount    string   // the target cache's mount for the first cook, as Mounts
	SeedFlag     string   // cook's flag naming it, with a leading space
	Pre          string   // shell set-up before each cargo command
	CookFlags    string
	StageFlags   string
	SBOMFile     string // where stage writes the SBOM; "" for none
	SBOMKind     string // SPDX or CycloneDX
	CrtStatic    bool   // cook and stage link with glibc's +crt-static
	StaticTarget string // how the target is chosen for a static build
	FromBuild    string // "--platform=$BUILDPLATFORM " on build-side stages when cross-compiling
	PlatformList string // the platforms, comma-separated, for the header
	IgnoreDirs   []string
	Packages     string // Debian packages the builder installs (tini, tzdata)
	HealthLine   string // HEALTHCHECK's arguments; "" for none
	Entrypoint   string // ENTRYPOINT's exec form
}

// commonFlags are the flags cook and stage share: what to build, for which
// target or platform.
func commonFlags(s Spec, target string) []string {
	common := append([]string{"-p", s.Package, "--bin", s.Bin}, featureFlags(s, true)...)
	if target != "" {
		common = append(common, "--target", target)
	}
	if len(s.Platforms) > 0 {
		// cook and stage choose the triple, static linking and linker for
		// the platform the same way (cargo berth's own planning).
		common = append(common, "--platform", `"$TARGETPLATFORM"`)
	}
	return common
}

// featureFlags are the feature flags of prepare (exec form) and of cook
// and stage (shell words): the dependency recipe asks for the features the
// build turns on.
func featureFlags(s Spec, shell bool) []string {
	var out []string
	if len(s.Features) > 0 {
		f := strings.Join(s.Features, ",")
		if shell {
			f = ShellWord(f)
		}
		out = append(out, "--features", f)
	}
	if s.NoDefaultFeatures {
		out = append(out, "--no-default-features")
	}
	if s.AllFeatures {
		out = append(out, "--all-features")
	}
	return out
}

// zigFlags are the flags cook and stage share for zig linking.
func zigFlags(s Spec) []string {
	if s.Zig {
		return []string{"--zig"}
	}
	return nil
}

// runtimeFlags are stage's flags for the runtime files: base and includes.
func runtimeFlags(s Spec) []string {
	var runtime []string
	if s.StageBase != "" {
		runtime = append(runtime, "--base", s.StageBase)
	}
	if s.StageNoZig {
		runtime = append(runtime, "--zig=false")
	}
	for _, in := range s.Includes {
		runtime = append(runtime, "--include", in)
	}
	return runtime
}

// supplyFlags are stage's flags for the SBOM and the crate list, and the
// file the SBOM goes to.
func supplyFlags(s Spec) (flags []string, file, kind string) {
	switch s.SBOM {
	case "", "spdx":
		file, kind = "/berth/sbom.spdx.json", "SPDX"
	case "cyclonedx":
		file, kind = "/berth/sbom.cdx.json", "CycloneDX"
	}
	if s.StageSBOM && s.SBOM != "" {
		flags = append(flags, "--sbom", s.SBOM)
	}
	switch {
	case s.StageAuditSection && s.NoAuditSection:
		flags = append(flags, "--no-audit-section")
	case s.StageAuditSection:
		// audit-section true over a false in Cargo.toml, which stage reads.
		flags = append(flags, "--no-audit-section=false")
	}
	return flags, file, kind
}

// Render returns the Dockerfile and .dockerignore for s.
func Render(s Spec) (*Files, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	v := newView(s)
	var df, di bytes.Buffer
	if err := templates.ExecuteTemplate(&df, "Dockerfile.tmpl", v); err != nil {
		return nil, fmt.Errorf("dockerfile: rendering the Dockerfile: %w", err)
	}
	if err := templates.ExecuteTemplate(&di, "dockerignore.tmpl", v); err != nil {
		return nil, fmt.Errorf("dockerfile: rendering .dockerignore: %w", err)
	}
	return &Files{Dockerfile: df.Bytes(), Dockerignore: di.Bytes()}, nil
}

func newView(s Spec) view {
	v := view{Spec: s, BuildDir: "/app"}
	prepare := []string{"/usr/local/bin/cargo-berth", "prepare"}
	if ws := strings.Trim(s.WorkspaceDir, "/"); ws != "" && ws != "." {
		prepare = append(prepare, "--manifest-path", ws+"/Cargo.toml")
		v.BuildDir = path.Join("/app", ws)
	}
	prepare = append(prepare, "--recipe-path", "/berth/recipe.json", "--deps-recipe-path", "/berth/deps.json", "-p", s.Package, "--bin", s.Bin)
	prepare = append(prepare, featureFlags(s, false)...)
	if s.Inputs != nil {
		v.Copies = copyLines(*s.Inputs)
		for _, t := range s.Inputs.Targets {
			prepare = append(prepare, "--assume-file", t)
		}
	}
	v.PrepareArgs = execForm(prepare)
	if s.CacheMounts {
		v.Mounts, v.SeedMount, v.SeedFlag = cacheMounts(s)
	}
	target := s.Target
	if len(s.Platforms) > 0 {
		v.FromBuild, v.PlatformList = "--platform=$BUILDPLATFORM ", strings.Join(s.Platforms, ",")
	}
	if s.Static && len(s.Platforms) == 0 {
		switch {
		case s.Target == "":
			v.Pre, target, v.CrtStatic = hostTarget, `"$TARGET"`, true
			v.StaticTarget = "the builder's own target, named explicitly"
		case !strings.HasSuffix(s.Target, "-musl"):
			v.CrtStatic = true
		}
	}
	common := commonFlags(s, target)
	profile := []string{"--release"}
	stage := []string{}
	if s.Profile != "" && s.Profile != "release" {
		profile = []string{"--profile", s.Profile}
		stage = profile
	}
	locked := []string{}
	if s.Locked {
		locked = []string{"--locked"}
	}
	static, cookStatic := []string{}, []string{}
	if s.Static {
		// stage checks that the binary came out static, musl included.
		static = []string{"--static"}
	}
	if v.CrtStatic || len(s.Platforms) > 0 {
		cookStatic = static
	}
	v.CookFlags = join(profile, locked, common, cookStatic, zigFlags(s))
	supply, file, kind := supplyFlags(s)
	v.SBOMFile, v.SBOMKind = file, kind
	v.StageFlags = join(stage, locked, common, static, zigFlags(s), runtimeFlags(s), extraFlags(s), supply)
	v.Packages, v.HealthLine, v.Entrypoint = builderPackages(s), healthLine(s.Health), entrypoint(s)
	v.IgnoreDirs = ignoreDirs(s)
	return v
}

// cacheMounts are the RUN flags of cargo's download caches, then the first
// cook's target cache with cook's flag naming it: a cache mount of its own
// per package, binary, profile and platform (BuildKit expands the build
// argument in its id), locked, since cook replaces its seed whole.
func cacheMounts(s Spec) (mounts, seed, flag string) {
	mounts = "--mount=type=cache,target=" + cargoHome + "/registry \\\n    " +
		"--mount=type=cache,target=" + cargoHome + "/git \\\n    "
	profile := s.Profile
	if profile == "" {
		profile = "release"
	}
	id := "berth-target-" + s.Package + "-" + s.Bin + "-" + profile + "-$TARGETPLATFORM"
	return mounts, "--mount=type=cache,id=" + id + ",target=" + seedDir + ",sharing=locked \\\n    ", " --target-cache " + seedDir
}

// copyLines groups the inputs by destination directory: one COPY line per
// directory of files, in order, root first, then one per whole directory.
func copyLines(in Inputs) []string {
	byDir := map[string][]string{}
	var dirs []string
	for _, f := range in.Files {
		d := path.Dir(f)
		if byDir[d] == nil {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], f)
	}
	slices.SortFunc(dirs, func(a, b string) int {
		if (a == ".") != (b == ".") {
			if a == "." {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var out []string
	for _, d := range dirs {
		dest := "./"
		if d != "." {
			dest = d + "/"
		}
		out = append(out, strings.Join(append(byDir[d], dest), " "))
	}
	for _, d := range in.Dirs {
		out = append(out, d+"/ "+d+"/")
	}
	return out
}

func ignoreDirs(s Spec) []string {
	dirs := []string{"target/"}
	for _, d := range s.IgnoreDirs {
		d = strings.Trim(d, "/") + "/"
		if d != "target/" && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func join(parts ...[]string) string {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return strings.Join(all, " ")
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_,./:+-]+$`)

// ShellWord quotes w for sh when it holds anything but plain characters
// (a weak feature "dep?/feat" would otherwise be a glob; a path with a space
// two words), a single quote inside as '\”. Commands berth suggests use it
// for the paths they name.
func ShellWord(w string) string {
	if plainWord.MatchString(w) {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// execForm is a Dockerfile exec-form command line: a JSON array of
// strings, continued on a new line before each --assume-file.
func execForm(args []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, a := range args {
		if i > 0 {
			b.WriteByte(',')
			if a == "--assume-file" {
				b.WriteString(" \\\n    ")
			}
		}
		q, _ := json.Marshal(a) // strings always encode
		b.Write(q)
	}
	b.WriteByte(']')
	return b.String()
}

// quote makes s one double-quoted word of an ENV or LABEL line: backslash,
// quote and $ (which the Dockerfile would expand) are escaped.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}
