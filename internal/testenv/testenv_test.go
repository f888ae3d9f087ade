package testenv

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTB records what Require does instead of stopping the test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Skipf(format string, args ...any)  { f.skipped = fmt.Sprintf(format, args...) }
func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

func TestRequire(t *testing.T) {
	for _, tc := range []struct {
		e2e      string
		wantSkip bool
	}{{"", true}, {"0", true}, {"1", false}} {
		t.Run("BERTH_E2E="+tc.e2e, func(t *testing.T) {
			t.Setenv(E2EVar, tc.e2e)

			ok := &fakeTB{}
			Require(ok, "widget", true, "unused")
			if ok.skipped != "" || ok.failed != "" {
				t.Fatalf("ok=true: skipped %q, failed %q", ok.skipped, ok.failed)
			}

			f := &fakeTB{}
			Require(f, "widget", false, "widget is not on PATH")
			msg := f.failed
			if tc.wantSkip {
				msg = f.skipped
			}
			if msg == "" || (f.skipped != "" && f.failed != "") {
				t.Fatalf("skipped %q, failed %q; want only a %s", f.skipped, f.failed, map[bool]string{true: "skip", false: "failure"}[tc.wantSkip])
			}
			for _, want := range []string{"widget", "widget is not on PATH", "scripts/ci-setup.sh"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not contain %q", msg, want)
				}
			}
		})
	}
}

func TestCopyFixture(t *testing.T) {
	dir := CopyFixture(t, "two-bins")
	if filepath.Base(dir) != "two-bins" {
		t.Errorf("CopyFixture returned %s, want a directory named two-bins", dir)
	}
	for _, f := range []string{"Cargo.toml", "src/bin/alpha.rs", "src/bin/beta.rs"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if strings.HasPrefix(dir, RepoRoot(t)) {
		t.Errorf("copy %s is inside the repository", dir)
	}
}

func TestCargoEnvBuildsStdOnlyCrate(t *testing.T) {
	RequireCargo(t)
	env := CargoEnv(t)
	var home string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "CARGO_HOME="); ok {
			if home != "" {
				t.Fatalf("CARGO_HOME set twice")
			}
			home = v
		}
	}
	cfg, err := os.ReadFile(filepath.Join(home, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`replace-with = "debian"`, `directory = "/usr/share/cargo/registry"`, "offline = true"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config.toml lacks %q:\n%s", want, cfg)
		}
	}

	dir := CopyFixture(t, "two-bins")
	cmd := exec.Command("cargo", "build", "--quiet", "--bins")
	cmd.Dir = dir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cargo build with CargoEnv: %v\n%s", err, out)
	}
	for _, bin := range []string{"alpha", "beta"} {
		out, err := exec.Command(filepath.Join(dir, "target", "debug", bin)).Output()
		if err != nil {
			t.Fatalf("run %s: %v", bin, err)
		}
		if got := strings.TrimSpace(string(out)); got != bin {
			t.Errorf("%s printed %q, want %q", bin, got, bin)
		}
	}
}

func TestStartRegistry(t *testing.T) {
	addr := StartRegistry(t)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("address %q is not on 127.0.0.1", addr)
	}
	resp, err := http.Get("http://" + addr + "/v2/_catalog")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"repositories"`) {
		t.Errorf("GET /v2/_catalog: %s %s", resp.Status, body)
	}
}

func TestMirrorFrom(t *testing.T) {
	deb822 := "Types: deb\n# comment\nURIs: http://mirror.example/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://mirror.example/debian-security\n"
	if got := mirrorFrom(deb822, true); got != "http://mirror.example/debian" {
		t.Errorf("deb822: got %q", got)
	}
	oneLine := "# x\ndeb-src http://a.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://b.example/debian/ bookworm main\n"
	if got := mirrorFrom(oneLine, false); got != "http://b.example/debian/" {
		t.Errorf("one-line: got %q", got)
	}
	if got := mirrorFrom("deb http://c.example/debian-security bookworm-security main\n", false); got != "" {
		t.Errorf("security only: got %q, want none", got)
	}
}

// TestEnvironment checks what the e2e fixtures need; with BERTH_E2E=1 it
// fails if scripts/ci-setup.sh has not been run.
func TestEnvironment(t *testing.T) {
	t.Run("cargo", func(t *testing.T) { RequireCargo(t) })
	t.Run("docker", func(t *testing.T) { RequireDocker(t) })
	t.Run("registry", func(t *testing.T) {
		if p := RequireRegistryBinary(t); p == "" {
			t.Error("RequireRegistryBinary returned an empty path")
		}
	})
	t.Run("debian-crates", func(t *testing.T) {
		RequireDebianCrates(t, "hyper", "tokio", "tokio-macros", "serde", "serde_derive", "serde_json", "libc", "openssl", "openssl-sys")
	})
	t.Run("mirror", func(t *testing.T) {
		if u := DebianMirror(t); !strings.HasPrefix(u, "http") {
			t.Errorf("DebianMirror = %q, want an http(s) URI", u)
		}
	})
}

func TestRequireDebianCratesMissing(t *testing.T) {
	t.Setenv(E2EVar, "")
	f := &fakeTB{}
	RequireDebianCrates(f, "serde", "no-such-crate-berth")
	if !strings.Contains(f.skipped, "no-such-crate-berth") || strings.Contains(f.skipped, "serde,") {
		t.Errorf("skip message %q should name only the missing crate", f.skipped)
	}
}

func TestWriteVendoredCargoConfig(t *testing.T) {
	home := t.TempDir()
	if err := WriteVendoredCargoConfig(home); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(home, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`replace-with = "vendor"`, `[source.vendor]`, `directory = "` + filepath.Join(home, "vendor") + `"`, "offline = true"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config.toml lacks %q:\n%s", want, cfg)
		}
	}
}
