package recipe

import (
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/testenv"
)

// layoutsDir holds the fixture workspaces shared with internal/cargo.
const layoutsDir = "../workspace/testdata/layouts"

// oldTime is older than any cook: copied sources get it, as Docker COPY
// keeps a build context's old mtimes.
var oldTime = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

type contractCase struct {
	layout    string     // directory under layoutsDir: the build context
	workspace string     // the workspace root inside it
	flags     BuildFlags // cook and build flags
	crates    []string   // Debian crates the layout needs
	bins      []string   // binaries that must print "real"
	edit      string     // file whose "real" becomes "edited"
	edited    []string   // binaries that must then print "edited"
}

var contractCases = []contractCase{
	{
		layout: "single", workspace: ".", crates: []string{"itoa"},
		bins: []string{"single", "tool", "extra"}, edit: "src/core/lib.rs", edited: []string{"single", "tool", "extra"},
	},
	{
		layout: "virtual", workspace: ".", crates: []string{"itoa"}, flags: BuildFlags{Workspace: true},
		bins: []string{"app", "noversion", "tiny-cli", "inner"}, edit: "crates/util/src/lib.rs", edited: []string{"app", "inner"},
	},
	{
		layout: "mixed", workspace: ".", crates: []string{"itoa", "fnv", "cfg-if", "quote", "proc-macro2", "unicode-ident"},
		flags: BuildFlags{Release: true, Workspace: true, Targets: []string{hostTriple}},
		bins:  []string{"mixed", "old"}, edit: "src/main.rs", edited: []string{"mixed"},
	},
	{
		layout: "patched", workspace: "app", crates: []string{"log", "cfg-if"},
		bins: []string{"app"}, edit: "shared/common/src/lib.rs", edited: []string{"app"},
	},
	{
		// cfg-if is a member and the [patch.crates-io] target log builds
		// against: vendored, so it must be fresh in the final build.
		layout: "patchmember", workspace: ".", crates: []string{"log", "rustc-std-workspace-core"}, flags: BuildFlags{Workspace: true},
		bins: []string{"app"}, edit: "app/src/main.rs", edited: []string{"app"},
	},
}

const hostTriple = "x86_64-unknown-linux-gnu"

// TestCookContract is the contract of prepare and cook, with real cargo:
// prepare in the context, cook in an empty directory, copy the real sources
// over it with older mtimes, build with the same flags. No dependency may be
// compiled again, every binary must run the real code, and after an edit,
// the edited code.
//
// layers/<layout> cooks in two layers first, the dependency recipe then the
// whole one, and holds the cooks to the same contract.
func TestCookContract(t *testing.T) {
	testenv.RequireCargo(t)
	env := cargoEnv(t)
	for _, c := range contractCases {
		t.Run(c.layout, func(t *testing.T) { cookContract(t, env, c, false) })
		t.Run("layers/"+c.layout, func(t *testing.T) { cookContract(t, env, c, true) })
	}
}

func cookContract(t *testing.T, env []string, c contractCase, layered bool) {
	testenv.RequireDebianCrates(t, c.crates...)
	ctx := copyLayout(t, c.layout)
	r, err := Prepare(PrepareOptions{ManifestPath: filepath.Join(ctx, c.workspace, "Cargo.toml")})
	if err != nil {
		t.Fatal(err)
	}
	r = roundTrip(t, r)
	work := t.TempDir()
	runner := &cargo.Runner{Env: env, Stderr: io.Discard}
	if layered {
		d, err := Dependencies(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Cook(context.Background(), roundTrip(t, d), CookOptions{Dir: work, Flags: c.flags, Runner: runner}); err != nil {
			t.Fatalf("cooking the dependency layer: %v", err)
		}
	}
	res, err := Cook(context.Background(), r, CookOptions{Dir: work, Flags: c.flags, Runner: runner})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cook invalidated %d local units", len(res.Invalidated))
	copyTree(t, ctx, work, &oldTime)
	wsDir := filepath.Join(work, c.workspace)
	exes := buildFresh(t, runner, wsDir, c.flags, r)
	expectOutput(t, exes, c.bins, "real")
	edit(t, filepath.Join(work, c.edit))
	exes = buildFresh(t, runner, wsDir, c.flags, r)
	expectOutput(t, exes, c.edited, "edited")
}

// buildFresh builds with the case's flags and checks that every external
// or vendored unit is fresh and every local unit is compiled. It returns the
// local executables by target name.
func buildFresh(t *testing.T, runner *cargo.Runner, dir string, flags BuildFlags, r *Recipe) map[string]string {
	t.Helper()
	vendored := map[string]bool{}
	for _, p := range r.Packages {
		vendored[p.Name] = p.Vendored
	}
	exes := map[string]string{}
	var local, external int
	args := append(flags.Args(), "--message-format=json")
	err := runner.Messages(context.Background(), dir, args, func(m cargo.Message) error {
		if m.Reason != "compiler-artifact" {
			return nil
		}
		name, isPath := packageName(m.PackageID)
		switch {
		case !isPath || vendored[name]:
			external++
			if !m.Fresh {
				t.Errorf("dependency %s (%s) was compiled again after cook", m.PackageID, m.Target.Name)
			}
		default:
			local++
			if m.Executable != "" {
				exes[m.Target.Name] = m.Executable
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("final build: %d local units compiled, %d dependency units fresh", local, external)
	return exes
}

// packageName returns the package name of a package id and whether it is a
// path (local) package.
func packageName(id string) (string, bool) {
	url, frag, _ := strings.Cut(id, "#")
	name, _, hasAt := strings.Cut(frag, "@")
	if !hasAt {
		name = filepath.Base(url)
	}
	return name, strings.HasPrefix(id, "path+")
}

func expectOutput(t *testing.T, exes map[string]string, bins []string, want string) {
	t.Helper()
	for _, b := range bins {
		exe, ok := exes[b]
		if !ok {
			t.Errorf("binary %s was not rebuilt (got %v)", b, exes)
			continue
		}
		out, err := exec.Command(exe).CombinedOutput()
		if err != nil {
			t.Errorf("running %s: %v\n%s", exe, err, out)
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("%s printed %q, want the %s code (%q): a stub shipped", b, out, want, want)
		}
	}
}

func edit(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "real", "edited")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func roundTrip(t *testing.T, r *Recipe) *Recipe {
	t.Helper()
	data, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode("recipe.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// cargoEnv is testenv's offline cargo environment without a target
// directory override, which would make every case share one.
func cargoEnv(t *testing.T) []string {
	var env []string
	for _, kv := range testenv.CargoEnv(t) {
		if !strings.HasPrefix(kv, "CARGO_TARGET_DIR=") && !strings.HasPrefix(kv, "CARGO_BUILD_TARGET=") {
			env = append(env, kv)
		}
	}
	return env
}

func copyLayout(t *testing.T, layout string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), layout)
	copyTree(t, filepath.Join(layoutsDir, layout), dst, nil)
	return dst
}

// copyTree copies src over dst (skipping target/), setting every copied
// file's mtime to *mtime when it is not nil.
func copyTree(t *testing.T, src, dst string, mtime *time.Time) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == "target" {
				return filepath.SkipDir
			}
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return err
		}
		if mtime != nil {
			return os.Chtimes(out, *mtime, *mtime)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}
