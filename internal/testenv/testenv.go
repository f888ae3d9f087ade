package testenv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// E2EVar is the environment variable that turns a missing component from a
// skip into a failure when it is set to "1".
const E2EVar = "BERTH_E2E"

// DebianCrateRegistry is where Debian's librust-*-dev packages put crate sources.
const DebianCrateRegistry = "/usr/share/cargo/registry"

// E2E reports whether BERTH_E2E=1 is set, in which case every Require helper
// fails the test instead of skipping it.
func E2E() bool { return os.Getenv(E2EVar) == "1" }

// Require skips t (or fails it when BERTH_E2E=1) unless ok is true. what names
// the component and why says what is wrong with it.
func Require(t testing.TB, what string, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	msg := fmt.Sprintf("%s is not available: %s; run scripts/ci-setup.sh to install it", what, why)
	if E2E() {
		t.Fatalf("%s (%s=1 makes this a failure)", msg, E2EVar)
		return
	}
	t.Skipf("%s (skipping; set %s=1 to make this a failure)", msg, E2EVar)
}

type probe struct {
	once sync.Once
	ok   bool
	why  string
	path string
}

var (
	cargoProbe    probe
	dockerProbe   probe
	registryProbe probe
)

func (p *probe) run(f func() (path string, err error)) (string, bool, string) {
	p.once.Do(func() {
		path, err := f()
		p.path = path
		if err != nil {
			p.why = err.Error()
			return
		}
		p.ok = true
	})
	return p.path, p.ok, p.why
}

func runQuiet(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("%s %s did not answer within %s", name, strings.Join(args, " "), timeout)
	}
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, firstLine(string(out)))
	}
	return string(out), nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// RequireCargo requires a working cargo on PATH.
func RequireCargo(t testing.TB) {
	t.Helper()
	_, ok, why := cargoProbe.run(func() (string, error) {
		p, err := exec.LookPath("cargo")
		if err != nil {
			return "", errors.New("cargo is not on PATH (install Rust with rustup; ci-setup.sh does not)")
		}
		if _, err := runQuiet(30*time.Second, p, "--version"); err != nil {
			return p, err
		}
		return p, nil
	})
	Require(t, "cargo", ok, why)
}

// RequireDocker requires the docker CLI on PATH and an engine that answers
// `docker info` within a few seconds.
func RequireDocker(t testing.TB) {
	t.Helper()
	_, ok, why := dockerProbe.run(func() (string, error) {
		p, err := exec.LookPath("docker")
		if err != nil {
			return "", errors.New("the docker CLI is not on PATH")
		}
		if _, err := runQuiet(10*time.Second, p, "info", "--format", "{{.ServerVersion}}"); err != nil {
			return p, fmt.Errorf("the Docker engine does not answer: %v", err)
		}
		return p, nil
	})
	Require(t, "docker", ok, why)
}

// RegistryBinaryVar names an environment variable that may point at the
// distribution registry binary; otherwise "registry" is looked up on PATH.
const RegistryBinaryVar = "BERTH_REGISTRY_BIN"

// RequireRegistryBinary requires distribution's registry binary and returns
// its path. It is taken from $BERTH_REGISTRY_BIN, else PATH, else $GOBIN or
// $GOPATH/bin.
func RequireRegistryBinary(t testing.TB) string {
	t.Helper()
	path, ok, why := registryProbe.run(findRegistry)
	Require(t, "the distribution registry binary", ok, why)
	return path
}

func findRegistry() (string, error) {
	var candidates []string
	if p := os.Getenv(RegistryBinaryVar); p != "" {
		candidates = append(candidates, p)
	} else {
		if p, err := exec.LookPath("registry"); err == nil {
			candidates = append(candidates, p)
		}
		if gobin := os.Getenv("GOBIN"); gobin != "" {
			candidates = append(candidates, filepath.Join(gobin, "registry"))
		}
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			if home, err := os.UserHomeDir(); err == nil {
				gopath = filepath.Join(home, "go")
			}
		}
		for _, dir := range filepath.SplitList(gopath) {
			candidates = append(candidates, filepath.Join(dir, "bin", "registry"))
		}
	}
	for _, c := range candidates {
		st, err := os.Stat(c)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			continue
		}
		out, err := runQuiet(10*time.Second, c, "--version")
		if err != nil {
			return c, fmt.Errorf("%s does not run: %v", c, err)
		}
		if !strings.Contains(out, "distribution") {
			return c, fmt.Errorf("%s is not distribution's registry (--version says %q)", c, firstLine(out))
		}
		return c, nil
	}
	if p := os.Getenv(RegistryBinaryVar); p != "" {
		return "", fmt.Errorf("$%s=%s is not an executable file", RegistryBinaryVar, p)
	}
	return "", errors.New(`no "registry" binary on PATH, in $GOBIN or in $GOPATH/bin`)
}

// RequireDebianCrates requires that Debian's crate registry
// (/usr/share/cargo/registry) holds every named crate, in any version.
func RequireDebianCrates(t testing.TB, crates ...string) {
	t.Helper()
	entries, err := os.ReadDir(DebianCrateRegistry)
	if err != nil {
		Require(t, "Debian's crate registry", false, fmt.Sprintf("cannot read %s: %v", DebianCrateRegistry, err))
		return
	}
	var missing []string
	for _, c := range crates {
		if !hasCrate(entries, c) {
			missing = append(missing, c)
		}
	}
	Require(t, "Debian crate packages", len(missing) == 0,
		fmt.Sprintf("%s has no %s", DebianCrateRegistry, strings.Join(missing, ", ")))
}

// hasCrate reports whether entries hold a directory "<crate>-<version>".
func hasCrate(entries []fs.DirEntry, crate string) bool {
	prefix := crate + "-"
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || len(name) == len(prefix) {
			continue
		}
		if c := name[len(prefix)]; c < '0' || c > '9' {
			continue
		}
		if e.IsDir() {
			return true
		}
		if e.Type()&fs.ModeSymlink != 0 {
			if st, err := os.Stat(filepath.Join(DebianCrateRegistry, name)); err == nil && st.IsDir() {
				return true
			}
		}
	}
	return false
}

// cargoConfig replaces crates.io with the directory source name at dir
// and forbids the network.
func cargoConfig(name, dir string) string {
	return `[source.crates-io]
replace-with = "` + name + `"

[source.` + name + `]
directory = "` + dir + `"

[net]
offline = true
`
}

// WriteOfflineCargoConfig writes into the cargo home dir a config.toml that
// replaces crates.io with Debian's packaged crates and forbids the network.
func WriteOfflineCargoConfig(home string) error {
	return writeCargoConfig(home, "debian", DebianCrateRegistry)
}

// WriteVendoredCargoConfig writes into the cargo home dir a config.toml
// that replaces crates.io with the directory source home/vendor (each crate
// a <name>-<version> directory with its .cargo-checksum.json) and forbids
// the network: the crates' sources live under CARGO_HOME, as crates.io's
// do in $CARGO_HOME/registry/src.
func WriteVendoredCargoConfig(home string) error {
	return writeCargoConfig(home, "vendor", filepath.Join(home, "vendor"))
}

// VendoredDebianHome makes home a CARGO_HOME whose crates.io is the
// directory source home/vendor, a copy of Debian's packaged crates (79 MB):
// the crates' sources live under that CARGO_HOME, as crates.io's do in
// $CARGO_HOME/registry/src, so two such homes give two sets of paths.
func VendoredDebianHome(t testing.TB, home string) string {
	t.Helper()
	if err := CopyTree(DebianCrateRegistry, filepath.Join(home, "vendor")); err != nil {
		t.Fatalf("testenv: copy %s: %v", DebianCrateRegistry, err)
	}
	if err := WriteVendoredCargoConfig(home); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return home
}

func writeCargoConfig(home, name, dir string) error {
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cargoConfig(name, dir)), 0o644); err != nil {
		return fmt.Errorf("writing cargo config: %w", err)
	}
	return nil
}

// CargoEnv returns the environment for running cargo offline against
// Debian's crate registry: os.Environ() with CARGO_HOME set to a fresh
// temporary directory holding a config.toml that replaces the crates-io source with
// /usr/share/cargo/registry. RUSTUP_HOME is kept (and set to its default,
// ~/.rustup, if unset and present) so rustup's cargo proxy still finds its
// toolchain.
func CargoEnv(t testing.TB) []string {
	t.Helper()
	home := t.TempDir()
	if err := WriteOfflineCargoConfig(home); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	rustupHome := os.Getenv("RUSTUP_HOME")
	if rustupHome == "" {
		if h, err := os.UserHomeDir(); err == nil {
			if st, err := os.Stat(filepath.Join(h, ".rustup")); err == nil && st.IsDir() {
				rustupHome = filepath.Join(h, ".rustup")
			}
		}
	}
	env := make([]string, 0, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CARGO_HOME=") || strings.HasPrefix(kv, "RUSTUP_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "CARGO_HOME="+home)
	if rustupHome != "" {
		env = append(env, "RUSTUP_HOME="+rustupHome)
	}
	return env
}

// RepoRoot returns the repository root: the nearest directory above the
// working directory that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// FixturePath returns the path of e2e/testdata/fixtures/<name> in the
// repository, failing t if it does not exist.
func FixturePath(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(RepoRoot(t), "e2e", "testdata", "fixtures", name)
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		t.Fatalf("testenv: fixture %q not found at %s", name, p)
	}
	return p
}

// CopyFixture copies the fixture e2e/testdata/fixtures/<name> (without any
// target/ directory) to <t.TempDir()>/<name> and returns that path.
func CopyFixture(t testing.TB, name string) string {
	t.Helper()
	src := FixturePath(t, name)
	dst := filepath.Join(t.TempDir(), name)
	if err := CopyTree(src, dst); err != nil {
		t.Fatalf("testenv: copy fixture %q: %v", name, err)
	}
	return dst
}

// CopyTree copies the directory src to dst, leaving out cargo's target
// directories; modes and symlinks are kept.
func CopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if d.Name() == "target" && rel != "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		default:
			return nil
		}
	})
}
