package dockerfile

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func base() Spec {
	return Spec{
		Bin: "api", Package: "api", Locked: true, CacheMounts: true,
		RustImage: "rust:1.82-bookworm", RustImageSource: "the rust-toolchain channel 1.82",
		BerthImage: "ghcr.io/berth-dev/berth:v0.1.0",
	}
}

// goldenCase is a Spec edit rendered to testdata/golden/<name>.*.
type goldenCase struct {
	name string
	edit func(*Spec)
}

func goldenCases() []goldenCase {
	return []goldenCase{
		{"default", func(*Spec) {}},
		{"legacy-unlocked", func(s *Spec) { s.CacheMounts, s.Locked = false, false }},
		{"nested-workspace", func(s *Spec) {
			s.WorkspaceDir, s.Package, s.IgnoreDirs = "service", "service-cli", []string{"service/target"}
		}},
		{"static", func(s *Spec) { s.Static = true }},
		{"static-musl", func(s *Spec) { s.Static, s.Target = true, "x86_64-unknown-linux-musl" }},
		{"distroless", func(s *Spec) { s.RuntimeImage = DistrolessCC }},
		{"config", func(s *Spec) {
			s.Env = []KV{{"GREETING", `say "hi" for $5`}, {"RUST_LOG", "info"}}
			s.Labels = []KV{{"org.example.team", "core"}}
			s.Expose, s.User = []string{"8080/tcp", "9090"}, "1000:1000"
		}},
		{"planner-inputs", func(s *Spec) {
			s.WorkspaceDir, s.Package, s.IgnoreDirs = "service", "service-cli", []string{"service/target"}
			s.Inputs = &Inputs{
				Files:   []string{"service/Cargo.toml", "service/Cargo.lock", "service/.cargo/config.toml", "service/crates/cli/Cargo.toml", "shared/Cargo.toml"},
				Dirs:    []string{"vendor/log"},
				Targets: []string{"service/crates/cli/src/main.rs", "service/crates/cli/build.rs", "shared/src/lib.rs"},
			}
		}},
		{"planner-inputs-legacy", func(s *Spec) {
			s.CacheMounts = false
			s.Inputs = &Inputs{Files: []string{"Cargo.toml", "Cargo.lock"}, Targets: []string{"src/main.rs"}}
		}},
		{"stage-settings", func(s *Spec) {
			s.StageBase, s.Includes = "scratch", []string{"conf/app.toml:/etc/app/app.toml", "static:/srv/static"}
			s.StageNoZig = true
		}},
		{"supply-settings", func(s *Spec) { s.SBOM, s.NoAuditSection = "cyclonedx", true }},
		{"supply-from-env", func(s *Spec) {
			s.SBOM, s.StageSBOM, s.StageAuditSection = "none", true, true
		}},
		{"platforms", func(s *Spec) { s.Platforms = []string{"linux/amd64", "linux/arm64"} }},
		{"zig-glibc", func(s *Spec) { s.Zig, s.Target = true, "x86_64-unknown-linux-gnu.2.17" }},
		{"zig-platforms", func(s *Spec) { s.Zig, s.Platforms = true, []string{"linux/amd64", "linux/arm64"} }},
		{"runtime-extras", func(s *Spec) {
			s.Init, s.TZData = true, "true"
			s.Health = &Health{Test: []string{"CMD", "/usr/local/bin/api", "--health"}, Interval: 30 * time.Second, Retries: 3}
		}},
		{"runtime-extras-distroless", func(s *Spec) {
			s.RuntimeImage, s.Init, s.TZData = DistrolessCC, true, "false"
			s.Health = &Health{Test: []string{"CMD-SHELL", "wget -q -O- http://localhost:8080/ || exit 1"}, StartPeriod: 5 * time.Second}
		}},
		{"platforms-static", func(s *Spec) { s.Platforms, s.Static = []string{"linux/arm64", "linux/arm/v7"}, true }},
		{"profile-features", func(s *Spec) {
			s.Profile, s.Features, s.NoDefaultFeatures = "dist", []string{"tls", "serde?/derive"}, true
			s.Target = "aarch64-unknown-linux-gnu"
		}},
	}
}

func TestRenderGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			c.edit(&s)
			f, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+".Dockerfile", f.Dockerfile)
			golden(t, c.name+".dockerignore", f.Dockerignore)
			checkPortable(t, string(f.Dockerfile))
		})
	}
}

// checkPortable enforces what the legacy builder and BuildKit's built-in
// frontend both accept: no syntax line, heredoc or COPY --link, and no
// variables in --mount (the built-in frontend ignores such mounts).
func checkPortable(t *testing.T, df string) {
	t.Helper()
	for _, bad := range []string{"# syntax", "<<", "--link", "target=$"} {
		if strings.Contains(df, bad) {
			t.Errorf("the Dockerfile contains %q", bad)
		}
	}
	named := strings.Contains(df, "FROM ${BERTH_IMAGE} AS berth") || strings.Contains(df, "FROM --platform=$BUILDPLATFORM ${BERTH_IMAGE} AS berth")
	if !named || strings.Contains(df, "--from=${") {
		t.Errorf("berth's image must come in through a named stage")
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s", path, got)
	}
}

func TestRenderRejects(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Spec)
		want string
	}{
		{"no binary", func(s *Spec) { s.Bin = "" }, "binary name is required"},
		{"space in binary", func(s *Spec) { s.Bin = "a b" }, `binary name "a b"`},
		{"newline in image", func(s *Spec) { s.RustImage = "rust\nRUN x" }, "RUST_IMAGE"},
		{"no berth image", func(s *Spec) { s.BerthImage = "" }, "BERTH_IMAGE is required"},
		{"bad feature", func(s *Spec) { s.Features = []string{"a;rm"} }, "feature"},
		{"workspace outside", func(s *Spec) { s.WorkspaceDir = "../x" }, "inside the build context"},
		{"ignore outside", func(s *Spec) { s.IgnoreDirs = []string{"../target"} }, "inside the context"},
		{"bad env name", func(s *Spec) { s.Env = []KV{{"A B", "x"}} }, `environment variable name "A B"`},
		{"multi-line env value", func(s *Spec) { s.Env = []KV{{"A", "x\nRUN evil"}} }, "spans lines"},
		{"bad port", func(s *Spec) { s.Expose = []string{"80/http"} }, `exposed port "80/http"`},
		{"bad user", func(s *Spec) { s.User = "root; RUN x" }, "user"},
		{"bad stage base", func(s *Spec) { s.StageBase = "debian:12" }, `stage base "debian:12"`},
		{"bad SBOM format", func(s *Spec) { s.SBOM = "spdx; RUN x" }, `SBOM format "spdx; RUN x"`},
		{"include with a space", func(s *Spec) { s.Includes = []string{"my conf:/etc/x"} }, `include (a relative SRC:/DEST) "my conf:/etc/x"`},
		{"include to a relative path", func(s *Spec) { s.Includes = []string{"conf:etc/x"} }, `"conf:etc/x"`},
		{"input with a space", func(s *Spec) { s.Inputs = &Inputs{Files: []string{"my crate/Cargo.toml"}} }, `"my crate/Cargo.toml"`},
		{"input outside", func(s *Spec) { s.Inputs = &Inputs{Targets: []string{"../x/src/main.rs"}} }, `"../x/src/main.rs"`},
		{"bad platform", func(s *Spec) { s.Platforms = []string{"linux/arm64;x"} }, `platform "linux/arm64;x"`},
		{"platforms and target", func(s *Spec) {
			s.Platforms, s.Target = []string{"linux/arm64"}, "aarch64-unknown-linux-gnu"
		}, "cannot be combined"},
		{"input glob", func(s *Spec) { s.Inputs = &Inputs{Dirs: []string{"vendor/[x]"}} }, `"vendor/[x]"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			c.edit(&s)
			_, err := Render(s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestRustImage(t *testing.T) {
	cases := []struct {
		channel, rustVersion, image, source string
	}{
		{"1.82.0", "1.70", "rust:1.82.0-bookworm", "channel 1.82.0"},
		{"1.82", "", "rust:1.82-bookworm", "channel 1.82"},
		{"stable", "1.70", "rust:1-bookworm", "channel stable"},
		{"nightly-2024-05-01", "", "rust:" + DefaultRustVersion + "-bookworm", "installs the rust-toolchain channel nightly-2024-05-01"},
		{"", "1.74", "rust:1.74-bookworm", "rust-version 1.74"},
		{"", "", "rust:" + DefaultRustVersion + "-bookworm", "berth's default"},
		{"", "2.0", "rust:" + DefaultRustVersion + "-bookworm", "berth's default"},
	}
	for _, c := range cases {
		t.Run(c.channel+"/"+c.rustVersion, func(t *testing.T) {
			image, source := RustImage(c.channel, c.rustVersion)
			if image != c.image || !strings.Contains(source, c.source) {
				t.Errorf("RustImage(%q, %q) = %q, %q; want %q, ...%q...", c.channel, c.rustVersion, image, source, c.image, c.source)
			}
		})
	}
}

// TestDockerignoreSecrets: the usual credential files stay out of the build
// context, and the file says the list is not a guarantee.
func TestDockerignoreSecrets(t *testing.T) {
	f, err := Render(base())
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(f.Dockerignore), "\n") {
		lines[l] = true
	}
	for _, want := range []string{"**/secrets/", "**/.npmrc", "**/.netrc", "**/.git-credentials", "**/.docker/config.json",
		"**/.aws/", "**/.azure/", "**/.config/gcloud/", "**/*.key", "**/*.p12", "**/*.pfx", "**/*.jks", "**/.env",
		"**/credentials.json", "**/client_secret*.json", "**/.pgpass", "**/*.ppk", "**/.htpasswd"} {
		if !lines[want] {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
	if !strings.Contains(string(f.Dockerignore), "a floor, not a guarantee") {
		t.Errorf(".dockerignore does not say its list is a floor")
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"/srv/app":        "/srv/app",
		"/srv/my app":     "'/srv/my app'",
		"it's":            `'it'\''s'`,
		"dep?/feat,other": "'dep?/feat,other'",
		"$HOME":           "'$HOME'",
		"a-b_c.d:e+f,g/h": "a-b_c.d:e+f,g/h",
	} {
		if got := ShellWord(in); got != want {
			t.Errorf("ShellWord(%q) = %s, want %s", in, got, want)
		}
	}
}
