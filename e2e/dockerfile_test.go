package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// dfFixture is a project the Dockerfile tests generate, build, run, edit
// and rebuild.
type dfFixture struct {
	name string
	// src is the fixture directory below the repository; it is copied, and
	// the copy is the build context.
	src string
	// genArgs are `cargo berth dockerfile` flags; "MANIFEST" stands for
	// the copy's manifestRel.
	genArgs     []string
	manifestRel string
	// lock makes a Cargo.lock at test time in lockDir, offline from
	// Debian's crates: the same ones the builder image holds.
	lock    bool
	lockDir string
	// wantArgs are lines the generated Dockerfile must hold.
	wantArgs []string
	// want is in the program's output; the edit replaces old by new (%s
	// is a nonce) in editFile, and the output must then hold edited.
	want                       string
	editFile, old, new, edited string
	// bumpFile holds `bumpOld`, a version line; the bump rewrites it.
	bumpFile, bumpOld string
	// bumpCrate compiles after the bump.
	bumpCrate string
	// http runs the image as a service and reads its answer on /.
	http bool
	// scan checks that syft lists the image's crates, as cargo tree does.
	scan bool
	// contextPlanner: generated with --planner context, whose planner reads
	// the whole context (and so runs again after a source edit).
	contextPlanner bool
	// builders to run the cycle with.
	builders []builder
}

var both = []builder{buildKit, legacyBuilder}

var dfFixtures = []dfFixture{
	{
		name: "lib-bin", src: "e2e/testdata/dockerfile/lib-bin", lock: true, lockDir: ".",
		wantArgs: []string{"--locked -p greeter --bin greeter"},
		want:     `"message":"hello from greeter"`,
		editFile: "src/main.rs", old: `"hello from greeter"`, new: `"edited greeter %s"`, edited: `"message":"edited greeter %s"`,
		bumpFile: "Cargo.toml", bumpOld: `version = "0.1.0"`, bumpCrate: "greeter",
		builders: both,
	},
	{
		name: "virtual-workspace", src: "e2e/testdata/dockerfile/virtual", lock: true, lockDir: ".",
		genArgs:  []string{"--bin", "app"},
		wantArgs: []string{"-p app --bin app"},
		want:     "hello from the virtual workspace (5 words)",
		editFile: "crates/app/src/main.rs", old: `"hello from the virtual workspace"`, new: `"edited workspace %s"`, edited: "edited workspace %s (3 words)",
		bumpFile: "Cargo.toml", bumpOld: `version = "0.2.0"`, bumpCrate: "app",
		builders: both,
	},
	{
		name: "openssl", src: "e2e/testdata/fixtures/openssl-digest", lockDir: ".",
		// No Cargo.lock: the Dockerfile builds without --locked. The
		// planner reads the whole context.
		genArgs: []string{"--planner", "context"}, contextPlanner: true,
		want:     "sha256(berth) = ",
		editFile: "src/main.rs", old: `println!("sha256(berth) = {hex}");`, new: `println!("edited %s {hex}");`, edited: "edited %s 5c2f64c7f21efd5f",
		bumpFile: "Cargo.toml", bumpOld: `version = "0.1.0"`, bumpCrate: "openssl-digest",
		builders: both,
	},
	{
		name: "nested-workspace", src: "e2e/testdata/dockerfile/nested", lock: true, lockDir: "service",
		genArgs: []string{"--manifest-path", "MANIFEST"}, manifestRel: "service/crates/server/Cargo.toml",
		wantArgs: []string{
			"ARG RUST_IMAGE=rust:1.80-bookworm", `"prepare","--manifest-path","service/Cargo.toml"`,
			"WORKDIR /app/service", "-p nested-server --bin nested",
		},
		want:     "HELLO FROM THE NESTED WORKSPACE (1.5)\nrustflags from .cargo/config.toml: true",
		editFile: "service/crates/server/src/main.rs", old: `"hello from the nested workspace"`, new: `"edited nested %s"`, edited: "EDITED NESTED %s (1.5)\nrustflags from .cargo/config.toml: true",
		bumpFile: "service/Cargo.toml", bumpOld: `version = "1.0.0"`, bumpCrate: "nested-server",
		builders: both,
	},
	{
		name: "hyper-http", src: "e2e/testdata/fixtures/hyper-service", lock: true, lockDir: ".",
		want:     `"message":"hello from berth"`,
		editFile: "src/main.rs", old: `"hello from berth"`, new: `"edited hyper %s"`, edited: `"message":"edited hyper %s"`,
		bumpFile: "Cargo.toml", bumpOld: `version = "0.3.1"`, bumpCrate: "hyper-service",
		http: true, scan: true, builders: []builder{buildKit},
	},
}

// TestDockerfile generates a Dockerfile for each fixture and, with each
// builder: builds it offline, runs the image, edits a source file and
// rebuilds (only local crates compile, the new code runs), then bumps a
// version (and Cargo.lock) and rebuilds (no dependency compiles).
func TestDockerfile(t *testing.T) {
	requireBuilderImages(t)
	for _, f := range dfFixtures {
		for _, b := range f.builders {
			t.Run(f.name+"/"+b.name, func(t *testing.T) { dockerfileCycle(t, f, b) })
		}
	}
}

func dockerfileCycle(t *testing.T, f dfFixture, b builder) {
	dir := filepath.Join(t.TempDir(), f.name)
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), f.src), dir); err != nil {
		t.Fatal(err)
	}
	if f.lock {
		hostCargo(t, filepath.Join(dir, f.lockDir), "generate-lockfile", "--offline")
	}
	df := generate(t, f, b, dir)
	for _, w := range f.wantArgs {
		if !strings.Contains(df, w) {
			t.Errorf("the Dockerfile lacks %q:\n%s", w, df)
		}
	}
	// Unique per run, so that no build cache from an earlier run can
	// stand in for the rebuilds.
	nonce := fmt.Sprint(time.Now().UnixNano() % 1e9)
	tag := fmt.Sprintf("berth-e2e-dockerfile/%s-%s:%s", f.name, b.name, nonce)
	removeImage(t, tag)

	b.build(t, dir, tag)
	checkOutput(t, f, tag, f.want)
	if f.scan {
		checkScannedCrates(t, filepath.Join(dir, "Cargo.toml"), "docker:"+tag)
	}

	replaceIn(t, dir, f.editFile, f.old, fmt.Sprintf(f.new, nonce))
	out := b.build(t, dir, tag)
	checkRebuild(t, b, out, "after a source edit", "")
	if !f.contextPlanner && !b.stepCached(out, `"prepare"`) {
		t.Errorf("after a source edit: the planner ran again, though it copies only the manifests; output:\n%s", tail(out, 60))
	}
	checkOutput(t, f, tag, fmt.Sprintf(f.edited, nonce))

	version := bumped(f.bumpOld, nonce)
	replaceIn(t, dir, f.bumpFile, f.bumpOld, version)
	if _, err := os.Stat(filepath.Join(dir, f.lockDir, "Cargo.lock")); err == nil {
		hostCargo(t, filepath.Join(dir, f.lockDir), "update", "-w", "--offline")
	}
	out = b.build(t, dir, tag)
	checkRebuild(t, b, out, "after a version bump", f.bumpCrate+" v"+strings.Trim(strings.TrimPrefix(version, "version = "), `"`))
}

// generate runs `cargo berth dockerfile` in the copy and returns the
// Dockerfile.
func generate(t *testing.T, f dfFixture, b builder, dir string) string {
	t.Helper()
	args := []string{"dockerfile"}
	for _, a := range f.genArgs {
		args = append(args, strings.ReplaceAll(a, "MANIFEST", filepath.Join(dir, filepath.FromSlash(f.manifestRel))))
	}
	if b.legacy {
		args = append(args, "--no-cache-mounts")
	}
	if f.manifestRel == "" {
		t.Chdir(dir)
	}
	r := mustBerth(t, args...)
	if want := filepath.Join(dir, "Dockerfile"); !strings.HasPrefix(r.stdout, want+"\n") {
		t.Fatalf("stdout %q, want the Dockerfile at %s first", r.stdout, want)
	}
	_, lockErr := os.Stat(filepath.Join(dir, f.lockDir, "Cargo.lock"))
	if warned := strings.Contains(r.stderr, "no Cargo.lock"); warned != (lockErr != nil) {
		t.Errorf("Cargo.lock warning shown: %v, Cargo.lock missing: %v; stderr:\n%s", warned, lockErr != nil, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// bumped turns `version = "X.Y.Z"` into `version = "X.Y.<nonce>"`.
func bumped(line, nonce string) string {
	v := strings.Trim(strings.TrimPrefix(line, "version = "), `"`)
	return fmt.Sprintf("version = %q", v[:strings.LastIndex(v, ".")+1]+nonce)
}

// checkRebuild checks that a rebuild reused the cooked dependencies and
// compiled local crates only (and wantCompiled, when set).
func checkRebuild(t *testing.T, b builder, out, when, wantCompiled string) {
	t.Helper()
	crates := compiledCrates(out)
	if len(crates) == 0 {
		t.Errorf("%s: nothing compiled; output:\n%s", when, tail(out, 40))
	}
	found := wantCompiled == ""
	for _, c := range crates {
		if !strings.HasPrefix(c.path, "/app") {
			t.Errorf("%s: dependency %s v%s was compiled again", when, c.name, c.version)
		}
		found = found || c.name+" v"+c.version == wantCompiled
	}
	if !found {
		t.Errorf("%s: %s was not compiled; compiled: %v", when, wantCompiled, crates)
	}
	if !b.stepCached(out, "cargo-berth cook") {
		t.Errorf("%s: the cook step ran again; output:\n%s", when, tail(out, 60))
	}
	if strings.Contains(out, "no longer matches the recipe") {
		t.Errorf("%s: the stage step found the recipe out of date; output:\n%s", when, tail(out, 60))
	}
	// The runtime files' layer is the same as before: only the binary's is new.
	if !b.stepCached(out, "COPY --from=builder /berth/rootfs/ /") {
		t.Errorf("%s: the runtime files were copied again; output:\n%s", when, tail(out, 60))
	}
}

// checkOutput runs the image and checks its output holds want.
func checkOutput(t *testing.T, f dfFixture, tag, want string) {
	t.Helper()
	var out string
	if f.http {
		out = runService(t, tag)
	} else {
		out = runOnce(t, tag)
	}
	if !strings.Contains(out, want) {
		t.Errorf("%s printed %q, want it to contain %q", tag, out, want)
	}
}

// TestDockerfileRuntimes builds the other runtimes once each (BuildKit):
// a distroless-like image with only the binary copied in, and a static
// binary in the closure runtime.
func TestDockerfileRuntimes(t *testing.T) {
	requireBuilderImages(t)
	cases := []struct {
		name, src string
		genArgs   []string
		buildArgs []string
		want      string
		check     func(t *testing.T, files map[string]int64)
		// stageLocalOnly: the stage step compiles the local crates alone,
		// so cook built the dependencies with exactly its flags.
		stageLocalOnly bool
		// metadata is appended to Cargo.toml before generating.
		metadata string
		// inspect, when set, checks more than the image's files, given the
		// build context and the image's tag.
		inspect func(t *testing.T, dir, tag string)
	}{
		{name: "distroless", src: "e2e/testdata/fixtures/openssl-digest",
			genArgs: []string{"--runtime", "distroless"}, buildArgs: []string{"RUNTIME_IMAGE=" + testenv.DistrolessImage},
			want: "sha256(berth) = 5c2f64c7f21efd5f",
			check: func(t *testing.T, files map[string]int64) {
				if _, ok := files["usr/local/bin/openssl-digest"]; !ok {
					t.Error("the runtime image lacks the binary")
				}
			}},
		{name: "static", src: "e2e/testdata/dockerfile/lib-bin", genArgs: []string{"--static"},
			want: `"message":"hello from greeter"`, stageLocalOnly: true,
			check: func(t *testing.T, files map[string]int64) {
				for f := range files {
					if strings.Contains(f, "libc.so") || strings.Contains(f, "ld-linux") {
						t.Errorf("a static image holds %s", f)
					}
				}
				if _, ok := files["etc/passwd"]; !ok {
					t.Error("the static image lacks /etc/passwd")
				}
			}},
		{name: "base-from-metadata", src: "e2e/testdata/dockerfile/lib-bin",
			// The builder must not pull the base: it becomes RUNTIME_IMAGE's
			// default, so the build needs no RUNTIME_IMAGE argument.
			metadata: "[package.metadata.berth]\nbase = \"" + testenv.DistrolessImage + "\"",
			want:     `"message":"hello from greeter"`,
			check: func(t *testing.T, files map[string]int64) {
				if _, ok := files["usr/share/zoneinfo/UTC"]; !ok {
					t.Error("the image is not on the base from Cargo.toml (no tzdata)")
				}
			}},
		{name: "include-from-metadata", src: "e2e/testdata/dockerfile/lib-bin",
			metadata: "[package.metadata.berth]\ninclude = [\"conf/greeting.txt:/etc/greeter/greeting.txt\"]",
			want:     `"message":"hello from greeter"`,
			check: func(t *testing.T, files map[string]int64) {
				if files["etc/greeter/greeting.txt"] != 3 {
					t.Errorf("the image lacks the included /etc/greeter/greeting.txt (files: %d)", len(files))
				}
			}},
		{name: "supply-from-metadata", src: "e2e/testdata/dockerfile/lib-bin",
			// stage reads sbom and audit-section from Cargo.toml in the
			// builder; the sbom stage exports the CycloneDX file.
			metadata: supplyMetadata, want: `"message":"hello from greeter"`,
			check: func(*testing.T, map[string]int64) {},
			inspect: func(t *testing.T, dir, tag string) {
				checkNoSection(t, fileFromImage(t, tag, "/usr/local/bin/greeter"))
				out := t.TempDir()
				exportStage(t, dir, "sbom", out)
				checkSBOM(t, readFile(t, filepath.Join(out, "sbom.cdx.json")), cycloneDXType, cargoTree(t, filepath.Join(dir, "Cargo.toml")))
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), c.name)
			if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), c.src), dir); err != nil {
				t.Fatal(err)
			}
			if c.metadata != "" {
				appendLine(t, filepath.Join(dir, "Cargo.toml"), c.metadata)
				writeFile(t, filepath.Join(dir, "conf", "greeting.txt"), "hi\n")
			}
			mustBerth(t, append([]string{"dockerfile", "--manifest-path", filepath.Join(dir, "Cargo.toml")}, c.genArgs...)...)
			tag := "berth-e2e-dockerfile/runtime-" + c.name + ":test"
			removeImage(t, tag)
			if c.stageLocalOnly {
				// A fresh source, so that the stage step really compiles.
				appendLine(t, filepath.Join(dir, "src", "main.rs"), fmt.Sprintf("// run %d", time.Now().UnixNano()))
			}
			out := buildKit.build(t, dir, tag, c.buildArgs...)
			if c.stageLocalOnly {
				crates := compiledCrates(buildKit.stepOutput(out, "cargo-berth stage"))
				if len(crates) == 0 {
					t.Errorf("the stage step compiled nothing; output:\n%s", tail(out, 40))
				}
				for _, cr := range crates {
					if !strings.HasPrefix(cr.path, "/app") {
						t.Errorf("the stage step compiled dependency %s v%s again: cook's flags differ from stage's", cr.name, cr.version)
					}
				}
			}
			if out := runOnce(t, tag); !strings.Contains(out, c.want) {
				t.Errorf("%s printed %q, want %q", tag, out, c.want)
			}
			c.check(t, imageFileSizes(t, tag))
			if c.inspect != nil {
				c.inspect(t, dir, tag)
			}
		})
	}
}

// appendLine adds line at the end of the file p.
func appendLine(t *testing.T, p, line string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, []byte("\n"+line+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
}
