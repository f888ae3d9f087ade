package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// dockerfileCases run `cargo berth dockerfile` on copies of the cargo
// package's layouts.
var dockerfileCases = []struct {
	name     string
	layout   string
	setup    func(t *testing.T, dir string) // dir is the layout's copy
	args     []string                       // "DIR" is the copy
	code     int
	context  string // where the files land, relative to the copy
	want     []string
	stderr   string
	unwanted []string
}{
	{name: "single crate", layout: "single", args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "tool"},
		want: []string{"ARG RUST_IMAGE=rust:1.95-bookworm", "--release --locked -p single --bin tool",
			"RUN --mount=type=cache,target=/usr/local/cargo/registry", "FROM scratch AS runtime", `ENTRYPOINT ["/usr/local/bin/tool"]`},
		stderr: "docker buildx build -t tool"},
	{name: "settings from Cargo.toml", layout: "virtual",
		// The virtual layout sets env and expose for the workspace and bin
		// and a label for its app member.
		args: []string{"--manifest-path", "DIR/Cargo.toml"},
		want: []string{"-p app --bin app", `ENV RUST_LOG="info"`, `ENV WORKERS="4"`, `LABEL team="core"`, "EXPOSE 8080/tcp"}},
	{name: "include from Cargo.toml is left to stage", layout: "virtual",
		// stage reads Cargo.toml in the builder: nothing to carry.
		setup: editFile("Cargo.toml", `expose = ["8080/tcp"]`, "expose = [\"8080/tcp\"]\ninclude = [\"conf:/etc/app\"]"),
		args:  []string{"--manifest-path", "DIR/Cargo.toml"}, unwanted: []string{"--include", "--base"}},
	{name: "include from the environment", layout: "virtual", setup: setEnv("BERTH_INCLUDE", "conf:/etc/app"),
		args: []string{"--manifest-path", "DIR/Cargo.toml"}, want: []string{"-p app --bin app --include conf:/etc/app\n"}},
	{name: "base image from Cargo.toml", layout: "virtual",
		setup: editFile("Cargo.toml", `expose = ["8080/tcp"]`, "expose = [\"8080/tcp\"]\nbase = \"debian:12-slim\"\ninclude = [\"conf:/etc/app\"]"),
		args:  []string{"--manifest-path", "DIR/Cargo.toml"},
		want:  []string{"ARG RUNTIME_IMAGE=debian:12-slim", "-p app --bin app --base auto\n", "FROM ${RUNTIME_IMAGE} AS runtime"},
		stderr: "the runtime stage starts FROM debian:12-slim (base from Cargo.toml [workspace.metadata.berth]), with the binary copied in\n" +
			"warning: include (from Cargo.toml [workspace.metadata.berth]) is not carried onto the runtime image debian:12-slim"},
	{name: "base image with --runtime", layout: "virtual", setup: setEnv("BERTH_BASE", "debian:12-slim"),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--runtime", "distroless"},
		want: []string{"ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot", "-p app --bin app --base auto\n"}},
	{name: "base scratch from the environment", layout: "virtual", setup: setEnv("BERTH_BASE", "scratch"),
		args: []string{"--manifest-path", "DIR/Cargo.toml"}, want: []string{"-p app --bin app --base scratch\n", "FROM scratch AS runtime"}},
	{name: "base image layout", layout: "virtual", setup: setEnv("BERTH_BASE", "oci:/srv/base"),
		args: []string{"--manifest-path", "DIR/Cargo.toml"}, want: []string{"-p app --bin app --base auto\n", "FROM scratch AS runtime"},
		stderr: "warning: base oci:/srv/base (from environment) is an image layout on this machine"},
	{name: "sbom and audit-section from Cargo.toml are left to stage", layout: "virtual",
		setup: editFile("Cargo.toml", `expose = ["8080/tcp"]`, "expose = [\"8080/tcp\"]\nsbom = \"cyclonedx\"\naudit-section = false"),
		args:  []string{"--manifest-path", "DIR/Cargo.toml"},
		want: []string{"--sbom-out /berth/sbom.cdx.json --locked -p app --bin app\n", "COPY --from=builder /berth/sbom.cdx.json /",
			"(audit-section false)"},
		unwanted: []string{"--sbom ", "--no-audit-section", "sbom.spdx.json"}},
	{name: "sbom none from the environment", layout: "virtual", setup: setEnv("BERTH_SBOM", "none", "BERTH_AUDIT_SECTION", "false"),
		args: []string{"--manifest-path", "DIR/Cargo.toml"}, want: []string{"-p app --bin app --sbom none --no-audit-section\n"},
		unwanted: []string{"--sbom-out", "AS sbom"}},
	{name: "bad sbom from the environment", layout: "virtual", setup: setEnv("BERTH_SBOM", "swid"),
		args: []string{"--manifest-path", "DIR/Cargo.toml"}, code: 2, stderr: `sbom "swid" (from BERTH_SBOM): want one of spdx, cyclonedx, none`},
	{name: "virtual workspace picks the bin across members", layout: "virtual",
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "app", "--no-cache-mounts"},
		want: []string{"-p app --bin app"}, unwanted: []string{"--mount"}, stderr: "docker build -t app"},
	{name: "path dependency outside the workspace widens the context", layout: "patched", context: ".",
		args: []string{"--manifest-path", "DIR/app/Cargo.toml"},
		want: []string{`"prepare","--manifest-path","app/Cargo.toml"`, "WORKDIR /app/app"}},
	{name: "toolchain file", layout: "single", setup: writeFile("rust-toolchain.toml", "[toolchain]\nchannel = \"1.82.0\"\n"),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single"},
		want: []string{"ARG RUST_IMAGE=rust:1.82.0-bookworm", "the rust-toolchain channel 1.82.0"}},
	{name: "legacy toolchain file", layout: "single", setup: writeFile("rust-toolchain", "1.81\n"),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single"},
		want: []string{"ARG RUST_IMAGE=rust:1.81-bookworm"}},
	{name: "rust-version", layout: "single", setup: editFile("Cargo.toml", `edition = "2021"`, "edition = \"2021\"\nrust-version = \"1.74\""),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single"},
		want: []string{"ARG RUST_IMAGE=rust:1.74-bookworm"}},
	{name: "no Cargo.lock", layout: "single", setup: removeFile("Cargo.lock"),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single"},
		want: []string{"cook --recipe-path /berth/recipe.json --release -p single"}, unwanted: []string{"--locked"},
		stderr: "warning: no Cargo.lock"},
	{name: "distroless static", layout: "single", args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single", "--runtime", "distroless", "--static"},
		want: []string{"ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot", `--target "$TARGET" --static`}},
	{name: "platforms", layout: "single", args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single", "--platform", "linux/amd64,linux/arm64"},
		want: []string{"docker buildx build --platform linux/amd64,linux/arm64 -t single .", "FROM --platform=$BUILDPLATFORM ${RUST_IMAGE} AS builder\n", "\nARG TARGETPLATFORM\n", `--bin single --platform "$TARGETPLATFORM"`}},
	{name: "platforms from the environment", layout: "single", setup: setEnv("BERTH_PLATFORMS", "linux/arm64"),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single"}, want: []string{"docker buildx build --platform linux/arm64 -t single ."}},
	{name: "bad platform", layout: "single", args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single", "--platform", "linux/sparc"}, code: 2,
		stderr: `platform "linux/sparc" is not supported`},
	{name: "runtime image", layout: "single", args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single", "--runtime", "debian:12-slim"},
		want: []string{"ARG RUNTIME_IMAGE=debian:12-slim", "FROM ${RUNTIME_IMAGE} AS runtime"}},
	{name: "existing Dockerfile", layout: "single", setup: writeFile("Dockerfile", "FROM mine\n"),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single"}, code: 1,
		want: []string{"FROM mine"}, stderr: "already exists; berth does not overwrite it: pass --force"},
	{name: "existing Dockerfile with --force", layout: "single", setup: writeFile("Dockerfile", "FROM mine\n"),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single", "--force"},
		want: []string{"FROM scratch AS runtime"}},
	{name: ".dockerignore a directory, with --force", layout: "single", setup: func(t *testing.T, dir string) {
		writeFile("Dockerfile", "FROM mine\n")(t, dir)
		if err := os.Mkdir(filepath.Join(dir, ".dockerignore"), 0o755); err != nil {
			t.Fatal(err)
		}
	}, args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single", "--force"}, code: 1,
		want: []string{"FROM mine"}, unwanted: []string{"FROM scratch"}, stderr: ".dockerignore is not a regular file"},
	{name: "several binaries", layout: "single", args: []string{"--manifest-path", "DIR/Cargo.toml"}, code: 1,
		stderr: "choose one with --bin"},
	{name: "planner copies the manifests", layout: "virtual", args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "app"},
		want:     []string{"COPY Cargo.lock Cargo.toml ./\n", "COPY crates/app/Cargo.toml crates/app/\n", `"--assume-file","crates/app/src/main.rs"`},
		unwanted: []string{"--mount=type=bind", "COPY . .\nRUN [\"/usr/local/bin/cargo-berth\",\"prepare\""}},
	{name: "planner of a widened context", layout: "patched", context: ".", args: []string{"--manifest-path", "DIR/app/Cargo.toml"},
		want: []string{"COPY app/Cargo.lock app/Cargo.toml app/\n", "COPY shared/common/Cargo.toml shared/common/\n", `"--assume-file","shared/common/src/lib.rs"`}},
	{name: "planner reads the context", layout: "virtual", args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "app", "--planner", "context"},
		want: []string{`RUN --mount=type=bind,target=/app ["/usr/local/bin/cargo-berth","prepare"`}, unwanted: []string{"--assume-file", "COPY Cargo.lock"}},
	{name: "a path COPY cannot carry", layout: "single", setup: renameFile("src/bin/extra.rs", "src/bin/my extra.rs"),
		args: []string{"--manifest-path", "DIR/Cargo.toml", "--bin", "single"}, stderr: `warning: the planner stage reads the whole context: dockerfile: the path "src/bin/my extra.rs"`,
		want: []string{`RUN --mount=type=bind,target=/app`}, unwanted: []string{"--assume-file"}},
	{name: "bad planner", layout: "single", args: []string{"--manifest-path", "DIR/Cargo.toml", "--planner", "all"}, code: 2,
		stderr: `--planner "all": want manifests or context`},
	{name: "bad runtime", layout: "single", args: []string{"--manifest-path", "DIR/Cargo.toml", "--runtime", "Not An Image"}, code: 2,
		stderr: "want closure, distroless or an image reference"},
	{name: "missing manifest", layout: "single", args: []string{"--manifest-path", "DIR/nope/Cargo.toml"}, code: 2,
		stderr: "--manifest-path"},
}

func TestDockerfileCmd(t *testing.T) {
	for _, c := range dockerfileCases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), c.layout)
			if err := testenv.CopyTree(filepath.Join(layouts, c.layout), dir); err != nil {
				t.Fatal(err)
			}
			if c.setup != nil {
				c.setup(t, dir)
			}
			args := []string{"dockerfile"}
			for _, a := range c.args {
				args = append(args, strings.ReplaceAll(a, "DIR", dir))
			}
			code, out, errOut := runBerth(t, args...)
			if code != c.code || !strings.Contains(errOut, c.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d, stderr with %q", code, errOut, c.code, c.stderr)
			}
			ctx := filepath.Join(dir, c.context)
			if code == 0 && out != filepath.Join(ctx, "Dockerfile")+"\n"+filepath.Join(ctx, ".dockerignore")+"\n" {
				t.Errorf("stdout %q, want the two paths in %s", out, ctx)
			}
			df, _ := os.ReadFile(filepath.Join(ctx, "Dockerfile"))
			for _, w := range c.want {
				if !strings.Contains(string(df), w) {
					t.Errorf("Dockerfile lacks %q:\n%s", w, df)
				}
			}
			for _, u := range c.unwanted {
				if strings.Contains(string(df), u) {
					t.Errorf("Dockerfile holds %q:\n%s", u, df)
				}
			}
		})
	}
}

func writeFile(rel, data string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func editFile(rel, old, new string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, rel)
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), old) {
			t.Fatalf("%s lacks %q (%v)", p, old, err)
		}
		writeFile(rel, strings.Replace(string(data), old, new, 1))(t, dir)
	}
}

// setEnv sets each KEY, VALUE pair of kv for the test.
func setEnv(kv ...string) func(*testing.T, string) {
	return func(t *testing.T, _ string) {
		for i := 0; i+1 < len(kv); i += 2 {
			t.Setenv(kv[i], kv[i+1])
		}
	}
}

func renameFile(rel, to string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.Rename(filepath.Join(dir, rel), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
}

func removeFile(rel string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.Remove(filepath.Join(dir, rel)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDockerfileSuggestionQuoted: the build command berth suggests quotes a
// context path with a space, so that it can be pasted into a shell.
func TestDockerfileSuggestionQuoted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my project")
	if err := testenv.CopyTree(filepath.Join(layouts, "single"), dir); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runBerth(t, "dockerfile", "--manifest-path", filepath.Join(dir, "Cargo.toml"), "--bin", "single")
	if want := "-t single '" + dir + "'\n"; code != 0 || !strings.HasSuffix(errOut, want) {
		t.Errorf("exit %d, stderr %q; want it to end with %q", code, errOut, want)
	}
}
