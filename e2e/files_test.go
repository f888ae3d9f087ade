package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// Reliability tests for cook, prepare and stage's outputs (issue 10): each
// runs the real binary against real files and symlinks, and checks both the
// refusal and that the user's files are byte for byte what they were.

// libBin copies a small real project (a lib and a bin) into a temporary
// directory and returns it.
func libBin(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "e2e", "testdata", "dockerfile", "lib-bin"), dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tree returns every path under root with its type, link target or
// content, so a test can tell that nothing changed.
func tree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p + " " + info.Mode().String())
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			b.WriteString(" -> " + target)
		case info.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			b.WriteString(" " + string(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// refused checks a run failed with a message holding want and left root
// as it was.
func refused(t *testing.T, r result, want, root, before string) {
	t.Helper()
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stderr %q: want a failure saying %q", r.code, r.stderr, want)
	}
	if after := tree(t, root); after != before {
		t.Errorf("a refused run changed files:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func symlink(t *testing.T, target, at string) {
	t.Helper()
	if err := os.Symlink(target, at); err != nil {
		t.Fatal(err)
	}
}

// TestStageRefusesUserPaths: `stage --out`/`--app-out` at a file, a
// symlink or a user's directory used to replace it and exit 0.
func TestStageRefusesUserPaths(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, project string) []string
		want  string
	}{
		{"out is Cargo.toml", func(t *testing.T, p string) []string { return []string{"--out", "Cargo.toml"} }, "existing file"},
		{"app-out is a source file", func(t *testing.T, p string) []string {
			return []string{"--out", "rootfs", "--app-out", "src/main.rs"}
		}, "existing file"},
		{"out is a symlink to an empty directory", func(t *testing.T, p string) []string {
			if err := os.Mkdir(filepath.Join(p, "empty"), 0o755); err != nil {
				t.Fatal(err)
			}
			symlink(t, filepath.Join(p, "empty"), filepath.Join(p, "link"))
			return []string{"--out", "link"}
		}, "symbolic link"},
		{"out is a user's directory", func(t *testing.T, p string) []string { return []string{"--out", "src"} }, "not empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := libBin(t)
			args := tt.setup(t, project)
			before := tree(t, project)
			refused(t, runReal(t, project, nil, append([]string{"stage"}, args...)...), tt.want, project, before)
		})
	}
}

// TestCookRefusesToHarmFiles: cook run in a real project overwrote its
// sources and manifests; cook followed symlinks out of its directory; a
// recipe that failed validation left a partial skeleton.
func TestCookRefusesToHarmFiles(t *testing.T) {
	project := libBin(t)
	recipePath := filepath.Join(t.TempDir(), "recipe.json")
	mustRun := runReal(t, project, nil, "prepare", "--recipe-path", recipePath)
	if mustRun.code != 0 {
		t.Fatalf("prepare: %s", mustRun.stderr)
	}
	tests := []struct {
		name   string
		recipe string // "" for the project's recipe
		setup  func(t *testing.T, dir, outside string)
		want   string
	}{
		{"in the real project", "", func(t *testing.T, dir, _ string) {
			if err := testenv.CopyTree(project, dir); err != nil {
				t.Fatal(err)
			}
		}, "cook would overwrite"},
		{"src is a symlink out", "", func(t *testing.T, dir, outside string) {
			symlink(t, outside, filepath.Join(dir, "src"))
		}, "symbolic link"},
		{"Cargo.toml is a symlink to an outside file", "", func(t *testing.T, dir, outside string) {
			writeFile(t, filepath.Join(outside, "precious"), "precious")
			symlink(t, filepath.Join(outside, "precious"), filepath.Join(dir, "Cargo.toml"))
		}, "symbolic link"},
		{"conflicting paths", `{"version":1,"workspace_root":".","files":[{"path":"a","kind":"source","contents":"x"},{"path":"zz","kind":"source","contents":""},{"path":"zz/inner","kind":"source","contents":""}]}`, nil, "conflict"},
		{"NUL in a path", `{"version":1,"workspace_root":".","files":[{"path":"a","kind":"source","contents":"x"},{"path":"b\u0000c","kind":"source","contents":""}]}`, nil, "not a clean relative path"},
		{"unknown kind", `{"version":1,"workspace_root":".","files":[{"path":"a","kind":"source","contents":"x"},{"path":"b","kind":"weird","contents":""}]}`, nil, "unknown kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dir, outside := filepath.Join(base, "work"), filepath.Join(base, "outside")
			for _, d := range []string{dir, outside} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			rp := recipePath
			if tt.recipe != "" {
				rp = filepath.Join(t.TempDir(), "recipe.json")
				writeFile(t, rp, tt.recipe)
			}
			if tt.setup != nil {
				tt.setup(t, dir, outside)
			}
			before := tree(t, base)
			refused(t, runReal(t, dir, nil, "cook", "--recipe-path", rp), tt.want, base, before)
		})
	}
}

// TestPrepareRefusesNonRecipe: `prepare --recipe-path Cargo.toml` replaced
// the manifest with a recipe.
func TestPrepareRefusesNonRecipe(t *testing.T) {
	project := libBin(t)
	symlink(t, filepath.Join(project, "src", "lib.rs"), filepath.Join(project, "link.json"))
	for _, target := range []string{"Cargo.toml", "src/main.rs", "link.json", "src"} {
		t.Run(target, func(t *testing.T) {
			before := tree(t, project)
			refused(t, runReal(t, project, nil, "prepare", "--recipe-path", target), "will not write the recipe", project, before)
		})
	}
	// An earlier recipe is replaced.
	for i := 0; i < 2; i++ {
		if r := runReal(t, project, nil, "prepare", "--recipe-path", "recipe.json"); r.code != 0 {
			t.Fatalf("prepare #%d over its own recipe: exit %d: %s", i+1, r.code, r.stderr)
		}
	}
}

// TestStageIncludes: an --include of a symlink put a dangling link to the
// host path into the image, and an include at the binary's own path was
// silently hidden by the binary. Staging again into a directory that is
// not empty is refused, the first stage left as it was.
func TestStageIncludes(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "serde_json", "itoa")
	project := libBin(t)
	host := t.TempDir()
	writeFile(t, filepath.Join(host, "real.conf"), "setting = 1\n")
	symlink(t, filepath.Join(host, "real.conf"), filepath.Join(host, "app.conf"))
	r := runReal(t, project, nil, "stage", "--out", "rootfs", "--include", filepath.Join(host, "app.conf")+":/etc/app.conf")
	if r.code != 0 {
		t.Fatalf("stage: exit %d: %s", r.code, r.stderr)
	}
	staged := filepath.Join(project, "rootfs", "etc", "app.conf")
	info, err := os.Lstat(staged)
	if err != nil || !info.Mode().IsRegular() {
		t.Fatalf("staged include %s = %v, %v: want a regular file", staged, info, err)
	}
	if data, _ := os.ReadFile(staged); string(data) != "setting = 1\n" {
		t.Errorf("staged include holds %q", data)
	}
	before := tree(t, project)
	again := runReal(t, project, nil, "stage", "--out", "rootfs", "--include", filepath.Join(host, "app.conf")+":/etc/app.conf")
	refused(t, again, "not empty", project, before)
	r = runReal(t, project, nil, "stage", "--out", "rootfs2", "--include", filepath.Join(host, "real.conf")+":/usr/local/bin/greeter")
	refused(t, r, "where the binary goes", project, before)
}
