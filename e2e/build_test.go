package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestBuildExampleDaemonless packages the bundled example with no daemon and
// no registry, and checks what the image holds and how it is configured.
func TestBuildExampleDaemonless(t *testing.T) {
	testenv.RequireCargo(t)
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(project, "Cargo.toml")
	// The same input gives the same digest: with an empty layer cache, with
	// the cache filled by the first build, and with no cache at all.
	t.Setenv("BERTH_CACHE_DIR", t.TempDir())
	first := mustBerth(t, "build", "--manifest-path", manifest)
	second := mustBerth(t, "build", "--manifest-path", manifest)
	t.Setenv("BERTH_CACHE_DIR", "off")
	third := mustBerth(t, "build", "--manifest-path", manifest)
	for _, r := range []result{second, third} {
		if digestOf(t, r.stdout) != digestOf(t, first.stdout) {
			t.Errorf("builds of the same input differ: %s vs %s", first.stdout, r.stdout)
		}
	}
	if !strings.Contains(first.stderr, "packaged /usr/local/bin/hello-service with 3 shared libraries (libc.so.6, ") {
		t.Errorf("stderr lacks the summary of what was packaged:\n%s", first.stderr)
	}
	if !strings.HasPrefix(first.stdout, "hello-service:latest@sha256:") {
		t.Errorf("stdout = %q, want hello-service:latest@sha256:...", first.stdout)
	}
	img := layoutImage(t, filepath.Join(project, "target", "berth", "hello-service"))
	if err := validate.Image(img); err != nil {
		t.Errorf("invalid image: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	checks := []struct {
		what      string
		got, want any
	}{
		{"user", c.User, "65532:65532"},
		{"entrypoint", strings.Join(c.Entrypoint, " "), "/usr/local/bin/hello-service"},
		{"title label", c.Labels["org.opencontainers.image.title"], "hello-service"},
		{"version label", c.Labels["org.opencontainers.image.version"], "0.1.0"},
		{"licenses label", c.Labels["org.opencontainers.image.licenses"], "MIT OR Apache-2.0"},
		{"exposed port from Cargo.toml", len(c.ExposedPorts), 1},
		{"architecture", cf.Architecture, "amd64"},
		{"created", cf.Created.Unix(), int64(0)},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
	files := imageFiles(t, img)
	for _, want := range []string{
		"/usr/local/bin/hello-service", "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6",
		"/etc/passwd", "/etc/group", "/etc/ssl/certs/ca-certificates.crt", "/tmp", "/etc/nsswitch.conf",
	} {
		if !files[want] {
			t.Errorf("image lacks %s", want)
		}
	}
	for f := range files {
		if strings.Contains(f, "libssl") || strings.HasPrefix(f, "/bin") || strings.HasPrefix(f, "/usr/bin") {
			t.Errorf("image holds %s, which the binary does not need", f)
		}
	}
}

// TestBuildHyperService builds a dynamic hyper/tokio/serde service, loads
// it, runs it as nonroot and checks that a source edit reaches the next image.
func TestBuildHyperService(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json")
	testenv.RequireDocker(t)
	project := testenv.CopyFixture(t, "hyper-service")
	manifest := filepath.Join(project, "Cargo.toml")
	tag := "berth-e2e/hyper-service:" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	t.Cleanup(func() { docker(t, "rmi", "-f", tag) })

	mustBerth(t, "build", "--manifest-path", manifest, "--load", "-t", tag)
	var body struct {
		Service string `json:"service"`
		Message string `json:"message"`
		UID     int    `json:"uid"`
	}
	if err := json.Unmarshal([]byte(runService(t, tag)), &body); err != nil {
		t.Fatal(err)
	}
	if body.Message != "hello from berth" || body.UID != 65532 {
		t.Errorf("answer = %+v, want the fixture's message as uid 65532", body)
	}

	setMessage(t, project, "edited by the test")
	mustBerth(t, "build", "--manifest-path", manifest, "--load", "-t", tag)
	if got := runService(t, tag); !strings.Contains(got, "edited by the test") {
		t.Errorf("after a source edit the image answers %q", got)
	}
}

// TestBuildOpenSSLBinary checks that a binary linked to libssl/libcrypto gets
// them in its image, through a docker-archive tarball.
func TestBuildOpenSSLBinary(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "openssl")
	testenv.RequireDocker(t)
	project := testenv.CopyFixture(t, "openssl-digest")
	tarball := filepath.Join(t.TempDir(), "img.tar")
	tag := "berth-e2e/openssl-digest:test"
	t.Cleanup(func() { docker(t, "rmi", "-f", tag) })
	mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--tarball", tarball, "-t", tag)
	docker(t, "load", "-i", tarball)
	out := docker(t, "run", "--rm", "--network", "host", tag)
	sum := sha256.Sum256([]byte("berth"))
	want := "sha256(berth) = " + hex.EncodeToString(sum[:])
	if !strings.Contains(out, want) || !strings.Contains(out, "OpenSSL 3") {
		t.Errorf("openssl-digest printed %q, want %q and the OpenSSL version", out, want)
	}
}

// TestBuildStatic builds with --static: no shared library in the image, and
// the binary still runs and resolves localhost.
func TestBuildStatic(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDocker(t)
	project := testenv.CopyFixture(t, "static-hello")
	layoutDir := filepath.Join(t.TempDir(), "layout")
	tag := "berth-e2e/static-hello:test"
	t.Cleanup(func() { docker(t, "rmi", "-f", tag) })
	r := mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--static",
		"--oci-layout", layoutDir, "--load", "-t", tag)
	// The layout and the daemon hold the image under the same reference:
	// one line, not one per sink.
	if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 || !strings.HasPrefix(r.stdout, "docker.io/"+tag+"@sha256:") && !strings.HasPrefix(r.stdout, tag+"@sha256:") {
		t.Errorf("want one line for the one reference, got %q", r.stdout)
	}
	for f := range imageFiles(t, layoutImage(t, layoutDir)) {
		if strings.Contains(f, ".so") {
			t.Errorf("static image holds shared object %s", f)
		}
	}
	out := docker(t, "run", "--rm", "--network", "host", tag)
	if !strings.Contains(out, "hello static") || !strings.Contains(out, "localhost resolves to 127.0.0.1") {
		t.Errorf("static-hello printed %q", out)
	}
}

// TestBuildPicksBinaryLikeCargo runs build with no flags in a virtual
// workspace: at its root the default member's binary is packaged, inside a
// member directory that member's.
func TestBuildPicksBinaryLikeCargo(t *testing.T) {
	offlineCargo(t)
	ws := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "internal", "workspace", "testdata", "layouts", "virtual"), ws); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ dir, want string }{
		{".", "app:latest@"},
		{"crates/noversion", "noversion:latest@"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Chdir(filepath.Join(ws, tt.dir))
			r := mustBerth(t, "build", "--oci-layout", filepath.Join(t.TempDir(), "layout"))
			if !strings.HasPrefix(r.stdout, tt.want) {
				t.Errorf("stdout = %q, want %s...", r.stdout, tt.want)
			}
		})
	}
}

// TestBuildLibraryPath packages a binary whose library lives in a private
// directory: --library-path finds it, and the image's LD_LIBRARY_PATH lets
// the loader find it too.
func TestBuildLibraryPath(t *testing.T) {
	testenv.RequireDocker(t)
	app, libDir := binaryWithPrivateLibrary(t)
	tag := "berth-e2e/library-path:test"
	t.Cleanup(func() { docker(t, "rmi", "-f", tag) })
	mustBerth(t, "build", "--binary", app, "--library-path", libDir, "--load", "-t", tag)
	// The program exits with its library's answer, 7.
	err := exec.Command("docker", "run", "--rm", "--network", "host", tag).Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 7 {
		t.Errorf("docker run = %v, want exit status 7 from the private library", err)
	}
}

// TestBuildStaticWithConfigRustflags: --static joins the rustflags of
// .cargo/config.toml, in whichever table (build or target) cargo reads.
func TestBuildStaticWithConfigRustflags(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDocker(t)
	tests := []struct {
		name, config string
		wantErr      string
	}{
		{"build.rustflags kept", "[build]\nrustflags = [\"--cfg\", \"berth_cfg\"]\n", ""},
		{"target rustflags kept", "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"--cfg\", \"berth_cfg\"]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := testenv.CopyFixture(t, "static-hello")
			os.MkdirAll(filepath.Join(project, ".cargo"), 0o755)
			if err := os.WriteFile(filepath.Join(project, ".cargo", "config.toml"), []byte(tt.config), 0o644); err != nil {
				t.Fatal(err)
			}
			main := filepath.Join(project, "src", "main.rs")
			src, _ := os.ReadFile(main)
			src = append(src, []byte("\n#[cfg(berth_cfg)]\n#[used]\nstatic CFG: () = ();\n")...)
			src = []byte(strings.Replace(string(src), `println!("hello static");`,
				`println!("hello static"); if cfg!(berth_cfg) { println!("berth_cfg on"); }`, 1))
			os.WriteFile(main, src, 0o644)
			tag := "berth-e2e/static-config:test"
			t.Chdir(project) // cargo reads .cargo/config.toml from the working directory up
			r := berth(t, "build", "--static", "--load", "-t", tag)
			if tt.wantErr != "" {
				if r.code != 1 || !strings.Contains(r.stderr, tt.wantErr) {
					t.Errorf("exit %d, stderr:\n%s\nwant an error with %q", r.code, r.stderr, tt.wantErr)
				}
				return
			}
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, r.stderr)
			}
			t.Cleanup(func() { docker(t, "rmi", "-f", tag) })
			if out := docker(t, "run", "--rm", "--network", "host", tag); !strings.Contains(out, "berth_cfg on") {
				t.Errorf("the static binary lost the config's rustflags: %q", out)
			}
		})
	}
}
