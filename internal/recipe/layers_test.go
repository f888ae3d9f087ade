package recipe

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/testenv"
)

// churnCrates are the Debian crates the churn fixture uses, and churnLocal
// its five members.
var (
	churnCrates = []string{"itoa", "log", "fnv", "memchr", "cfg-if", "either", "quote", "proc-macro2", "unicode-ident", "bitflags", "lazy_static", "scopeguard"}
	churnLocal  = []string{"app", "churn-core", "model", "macros", "tool"}
	churnFlags  = BuildFlags{Packages: []string{"app"}, Bins: []string{"app"}, Locked: true}
)

// churnEdits are the workspace churn the dependency layer must survive:
// each edit of the context, and whether it brings a third-party crate.
var churnEdits = []struct {
	name, file, old, new string
	brings               []string // third-party crates it adds; nil: none
}{
	{"version bump", "Cargo.toml", `version = "0.1.0"`, `version = "0.1.7"`, nil},
	{"new path dependency", "crates/core/Cargo.toml", "[dependencies]\n", "[dependencies]\nmacros = { path = \"../macros\" }\n", nil},
	{"description edit", "crates/app/Cargo.toml", `description = "the churn fixture's service"`, `description = "edited"`, nil},
	{"unrelated member", "crates/tool/Cargo.toml", `lazy_static = "1"`, "lazy_static = \"1\"\nscopeguard = \"1\"", nil},
	{"new third-party dependency", "crates/model/Cargo.toml", `cfg-if = "1"`, "cfg-if = \"1\"\nscopeguard = \"1\"", []string{"scopeguard"}},
}

// churnSetup needs cargo and the churn crates, and returns the cargo
// environment, a runner logging to stderr and a locked copy of the fixture.
func churnSetup(t *testing.T) ([]string, *cargo.Runner, string) {
	t.Helper()
	testenv.RequireCargo(t)
	testenv.RequireDebianCrates(t, churnCrates...)
	env := cargoEnv(t)
	runner := &cargo.Runner{Env: env, Stderr: os.Stderr}
	return env, runner, churnContext(t, runner)
}

// churnContext copies the churn fixture and locks it offline.
func churnContext(t *testing.T, runner *cargo.Runner) string {
	t.Helper()
	ctx := testenv.CopyFixture(t, "churn")
	if err := runner.Run(context.Background(), ctx, "generate-lockfile", "--offline"); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func prepareChurn(t *testing.T, ctx string) (full, deps *Recipe, fullJSON, depsJSON []byte) {
	t.Helper()
	r, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(ctx, "Cargo.toml"), Select: Selection{Bin: "app"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Dependencies(r)
	if err != nil {
		t.Fatal(err)
	}
	return r, d, encode(t, r), encode(t, d)
}

var compilingLine = regexp.MustCompile(`(?m)^\s*Compiling (\S+) v`)

// cookCounting cooks r in dir and returns the third-party crates cargo
// compiled.
func cookCounting(t *testing.T, env []string, r *Recipe, dir string) []string {
	t.Helper()
	third, _ := cookSeeded(t, env, r, dir, "")
	return third
}

// cookSeeded is cookCounting with a target cache (none when ""), and
// returns cook's log too.
func cookSeeded(t *testing.T, env []string, r *Recipe, dir, seed string) ([]string, string) {
	t.Helper()
	var log bytes.Buffer
	runner := &cargo.Runner{Env: env, Stderr: &log}
	if _, err := Cook(context.Background(), r, CookOptions{Dir: dir, Flags: churnFlags, Runner: runner, Overwrite: true, SeedDir: seed}); err != nil {
		t.Fatalf("cook: %v\n%s", err, log.String())
	}
	var third []string
	for _, m := range compilingLine.FindAllStringSubmatch(log.String(), -1) {
		if !slices.Contains(churnLocal, m[1]) && m[1] != depsPackage {
			third = append(third, m[1])
		}
	}
	slices.Sort(third)
	return third, log.String()
}

// TestDependencyLayer: the churn workspace's dependencies cooked in two
// layers. The first layer (third-party crates alone) leaves nothing of
// them for the second, the final build finds every dependency fresh, and
// each churn edit either leaves the first layer's recipe unchanged (so
// Docker reuses it) with 0 third-party crates compiled after it, or, for a
// new crate, compiles that crate alone on top of the previous layer.
func TestDependencyLayer(t *testing.T) {
	env, runner, ctx := churnSetup(t)
	full, deps, _, depsJSON := prepareChurn(t, ctx)
	// The cooks run in one directory, as in Docker's WORKDIR; saved is
	// the first layer, restored before each edit's cook.
	work := filepath.Join(t.TempDir(), "app")
	got := cookCounting(t, env, deps, work)
	if len(got) < 9 {
		t.Fatalf("the dependency layer compiled %v, want every third-party crate of app", got)
	}
	if slices.Contains(got, "bitflags") {
		t.Errorf("the dependency layer of app compiled tool's bitflags: the recipe is not trimmed to app")
	}
	saved := filepath.Join(t.TempDir(), "layer1")
	copyAll(t, work, saved)
	if got := cookCounting(t, env, full, work); len(got) != 0 {
		t.Fatalf("the workspace layer compiled third-party crates %v: the dependency layer missed them", got)
	}
	copyTree(t, ctx, work, &oldTime)
	exes := buildFresh(t, &cargo.Runner{Env: env, Stderr: os.Stderr}, work, churnFlags, full)
	expectOutput(t, exes, []string{"app"}, "HELLO FROM THE CHURN WORKSPACE")
	for _, e := range churnEdits {
		t.Run(e.name, func(t *testing.T) {
			edited := snapshot(t, ctx)
			replaceOnce(t, filepath.Join(edited, e.file), e.old, e.new)
			if err := runner.Run(context.Background(), edited, "update", "-w", "--offline"); err != nil {
				t.Fatal(err)
			}
			full1, deps1, _, depsJSON1 := prepareChurn(t, edited)
			if same := bytes.Equal(depsJSON, depsJSON1); same != (e.brings == nil) {
				t.Fatalf("dependency recipe unchanged: %v, want %v; differences:\n%s", same, e.brings == nil, strings.Join(Explain(deps, deps1), "\n"))
			}
			copyAll(t, saved, work) // Docker's cached layer, or its cache mount
			if e.brings != nil {
				if got := cookCounting(t, env, deps1, work); !slices.Equal(got, e.brings) {
					t.Errorf("the dependency layer compiled %v over the previous one, want only %v", got, e.brings)
				}
			}
			if got := cookCounting(t, env, full1, work); len(got) != 0 {
				t.Errorf("after the %s the workspace layer compiled third-party crates %v, want none", e.name, got)
			}
		})
	}
}

// TestSingleLayerRecompiles is the control for TestDependencyLayer: the
// seed's recipe (one layer, the whole workspace) changes with a new path
// dependency or an unrelated member's new crate, so Docker runs its cook
// again from nothing and compiles every third-party crate.
func TestSingleLayerRecompiles(t *testing.T) {
	env, runner, ctx := churnSetup(t)
	whole := func(dir string) *Recipe {
		r, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(dir, "Cargo.toml")})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	before := encode(t, whole(ctx))
	for _, e := range churnEdits {
		if e.name != "new path dependency" && e.name != "unrelated member" {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			edited := snapshot(t, ctx)
			replaceOnce(t, filepath.Join(edited, e.file), e.old, e.new)
			if err := runner.Run(context.Background(), edited, "update", "-w", "--offline"); err != nil {
				t.Fatal(err)
			}
			r := whole(edited)
			if bytes.Equal(before, encode(t, r)) {
				t.Fatalf("the single-layer recipe did not change after the %s: this control shows nothing", e.name)
			}
			if got := cookCounting(t, env, r, t.TempDir()); len(got) < 9 {
				t.Errorf("a single-layer cook after the %s compiled only %v; want every third-party crate", e.name, got)
			}
		})
	}
}

// copyAll replaces dst by a copy of src, target directory included, with
// modes and mtimes.
func copyAll(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.RemoveAll(dst); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(out, info.Mode().Perm())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, data, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(out, info.ModTime(), info.ModTime())
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}

func snapshot(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := testenv.CopyTree(dir, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

func replaceOnce(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
