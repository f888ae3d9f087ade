package workspace_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/testenv"
	"github.com/berth-dev/berth/internal/workspace"
)

// pkg2015 is a package manifest with no edition, so edition 2015.
func pkg2015(extra string) string {
	return "[package]\nname = \"old-pkg\"\nversion = \"0.1.0\"\n" + extra
}

// editionCases cover target discovery where editions differ and where
// cargo rejects a layout. Each case is compared with cargo when it is
// available: with `cargo metadata --no-deps`, or, where cargo metadata
// silently drops a target it cannot place (strictOnBuild), with
// `cargo check --all-targets`, which rejects the manifest as berth does.
var editionCases = []struct {
	name          string
	files         map[string]string
	want          []string // kind:name:path
	wantErr       string
	strictOnBuild bool
}{
	{"2015 explicit example switches example discovery off, not test discovery", map[string]string{
		"Cargo.toml": pkg2015("[[example]]\nname = \"a\"\n"), "src/lib.rs": "",
		"examples/a.rs": "", "examples/b.rs": "", "tests/t.rs": "",
	}, []string{"lib:old_pkg:src/lib.rs", "example:a:examples/a.rs", "test:t:tests/t.rs"}, "", false},
	{"2015 autoexamples = true turns it back on", map[string]string{
		"Cargo.toml": pkg2015("autoexamples = true\n[[example]]\nname = \"a\"\n"), "src/lib.rs": "",
		"examples/a.rs": "", "examples/b.rs": "",
	}, []string{"lib:old_pkg:src/lib.rs", "example:a:examples/a.rs", "example:b:examples/b.rs"}, "", false},
	{"2015 explicit test and bench", map[string]string{
		"Cargo.toml": pkg2015("[[test]]\nname = \"t\"\nharness = false\n[[bench]]\nname = \"b\"\npath = \"perf/b.rs\"\n"),
		"src/lib.rs": "", "tests/t.rs": "", "tests/u.rs": "", "benches/c.rs": "", "perf/b.rs": "",
	}, []string{"lib:old_pkg:src/lib.rs", "test:t:tests/t.rs", "bench:b:perf/b.rs"}, "", false},
	{"2021 explicit example keeps discovery on", map[string]string{
		"Cargo.toml": pkg2015("edition = \"2021\"\n[[example]]\nname = \"a\"\n"), "src/lib.rs": "",
		"examples/a.rs": "", "examples/b/main.rs": "",
	}, []string{"lib:old_pkg:src/lib.rs", "example:a:examples/a.rs", "example:b:examples/b/main.rs"}, "", false},
	{"2015 [lib] falls back to src/<lib name>.rs", map[string]string{
		"Cargo.toml": pkg2015("[lib]\nname = \"custom\"\n"), "src/custom.rs": "",
	}, []string{"lib:custom:src/custom.rs"}, "", false},
	{"2021 [lib] has no fallback", map[string]string{
		"Cargo.toml": pkg2015("edition = \"2021\"\n[lib]\n"), "src/old_pkg.rs": "",
	}, nil, `can't find library "old_pkg"`, false},
	{"no [lib] table: src/<name>.rs is not a lib in 2015 either", map[string]string{
		"Cargo.toml": pkg2015(""), "src/old_pkg.rs": "", "src/main.rs": "",
	}, []string{"bin:old-pkg:src/main.rs"}, "", false},
	{"2015 bin falls back to src/<name>.rs without a lib", map[string]string{
		"Cargo.toml": pkg2015("[[bin]]\nname = \"zz\"\n"), "src/zz.rs": "",
	}, []string{"bin:zz:src/zz.rs"}, "", false},
	{"2015 bin falls back to src/main.rs with a lib", map[string]string{
		"Cargo.toml": pkg2015("[[bin]]\nname = \"zz\"\n"), "src/lib.rs": "", "src/zz.rs": "", "src/main.rs": "",
	}, []string{"lib:old_pkg:src/lib.rs", "bin:zz:src/main.rs"}, "", false},
	{"2015 ambiguous bin takes the fallback", map[string]string{
		"Cargo.toml": pkg2015("[[bin]]\nname = \"a\"\n"), "src/bin/a.rs": "", "src/bin/a/main.rs": "", "src/a.rs": "",
	}, []string{"bin:a:src/a.rs"}, "", false},
	{"ambiguous bin without a fallback", map[string]string{
		"Cargo.toml": pkg2015("[[bin]]\nname = \"a\"\n"), "src/lib.rs": "", "src/bin/a.rs": "", "src/bin/a/main.rs": "",
	}, nil, `cannot infer the path of bin target "a": both src/bin/a.rs and src/bin/a/main.rs exist`, false},
	{"2015 test has no fallback", map[string]string{
		"Cargo.toml": pkg2015("[[test]]\nname = \"zz\"\n"), "src/lib.rs": "", "src/zz.rs": "", "tests/t.rs": "",
	}, nil, `can't find test target "zz"`, true},
	{"2015 ambiguous example has no fallback", map[string]string{
		"Cargo.toml": pkg2015("[[example]]\nname = \"a\"\n"), "src/lib.rs": "", "examples/a.rs": "", "examples/a/main.rs": "",
	}, nil, `cannot infer the path of example target "a"`, true},
	{"duplicate inferred names", map[string]string{
		"Cargo.toml": pkg2015("edition = \"2021\"\n"), "src/lib.rs": "", "examples/a.rs": "", "examples/a/main.rs": "",
	}, nil, `found duplicate example name "a"`, false},
	{"src/main.rs and src/bin/<package>.rs collide", map[string]string{
		"Cargo.toml": pkg2015(""), "src/main.rs": "", "src/bin/old-pkg.rs": "",
	}, nil, `found duplicate bin name "old-pkg"`, false},
	{"dotfiles are not targets", map[string]string{
		"Cargo.toml": pkg2015(""), "src/lib.rs": "", "examples/.hidden.rs": "", "examples/ok.rs": "",
		"tests/.x/main.rs": "", "src/bin/.y.rs": "", "benches/_u.rs": "",
	}, []string{"lib:old_pkg:src/lib.rs", "example:ok:examples/ok.rs", "bench:_u:benches/_u.rs"}, "", false},
}

// TestDiscoverEditionRules checks berth's target discovery on editionCases,
// against cargo where it is available.
func TestDiscoverEditionRules(t *testing.T) {
	for _, c := range editionCases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			ws, err := workspace.Load(filepath.Join(dir, "Cargo.toml"))
			switch {
			case c.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("error %v, want %q", err, c.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				got := targetList(dir, ws.Packages[0])
				if strings.Join(got, " ") != strings.Join(c.want, " ") {
					t.Errorf("targets\n got %v\nwant %v", got, c.want)
				}
			}
			if c.strictOnBuild {
				cargoRejects(t, dir)
				return
			}
			agreeWithCargo(t, dir)
		})
	}
}

// TestDiscoverSkipsSymlinkedDirectories mirrors cargo, which does not follow
// a symlink to a directory when it looks for <dir>/*/main.rs.
func TestDiscoverSkipsSymlinkedDirectories(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Cargo.toml": pkg2015("edition = \"2021\"\n"), "src/lib.rs": "",
		"real/inner/main.rs": "", "real/file.rs": "",
	})
	for link, target := range map[string]string{"examples/linked": "../real/inner", "examples/lf.rs": "../real/file.rs"} {
		if err := os.MkdirAll(filepath.Join(dir, "examples"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	ws, err := workspace.Load(filepath.Join(dir, "Cargo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range ws.Packages[0].Targets {
		names = append(names, tg.Name)
	}
	if got := strings.Join(names, " "); got != "old_pkg lf" {
		t.Errorf("targets %q, want %q", got, "old_pkg lf")
	}
	agreeWithCargo(t, dir)
}

// cargoRejects checks that `cargo check --all-targets` refuses dir's
// manifest (it fails while loading it, before compiling anything).
func cargoRejects(t *testing.T, dir string) {
	t.Helper()
	testenv.RequireCargo(t)
	r := &cargo.Runner{Env: append(testenv.CargoEnv(t), "CARGO_TARGET_DIR="+t.TempDir()), Stderr: io.Discard}
	err := r.Run(context.Background(), dir, "check", "--all-targets", "--offline")
	if err == nil || !strings.Contains(err.Error(), "failed to parse manifest") {
		t.Errorf("cargo check --all-targets: %v, want it to reject the manifest as berth does", err)
	}
}

// targetList spells a package's targets as kind:name:path (relative to dir).
func targetList(dir string, p workspace.Package) []string {
	var out []string
	for _, tg := range p.Targets {
		rel, _ := filepath.Rel(dir, tg.SrcPath)
		out = append(out, tg.Kind[0]+":"+tg.Name+":"+filepath.ToSlash(rel))
	}
	return out
}
