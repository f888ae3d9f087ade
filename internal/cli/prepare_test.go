package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const layouts = "../workspace/testdata/layouts"

func runBerth(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestPrepareCmd(t *testing.T) {
	dir := t.TempDir()
	recipePath := filepath.Join(dir, "recipe.json")
	bad := filepath.Join(dir, "bad")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "Cargo.toml"), []byte("[package\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A planner's copy: manifests only, a member's manifest missing.
	planner := filepath.Join(dir, "planner")
	for rel, data := range map[string]string{
		"Cargo.toml":         "[workspace]\nmembers = [\"app\", \"gone\"]\n",
		"app/Cargo.toml":     "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
		"../solo/Cargo.toml": "[package]\nname = \"solo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(planner, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(planner, rel), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newer := filepath.Join(dir, "newer.json")
	if err := os.WriteFile(newer, []byte(`{"version": 7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		out, err string
		written  bool
	}{
		{"writes a recipe", []string{"berth", "prepare", "--manifest-path", layouts + "/virtual/Cargo.toml", "--recipe-path", recipePath},
			0, "", "wrote " + recipePath + ": 5 packages", true},
		{"explain equal", []string{"prepare", "--manifest-path", layouts + "/virtual/Cargo.toml", "--explain", recipePath},
			0, "", "", true},
		{"explain differs", []string{"prepare", "--manifest-path", layouts + "/single/Cargo.toml", "--explain", recipePath},
			0, "crates/app/Cargo.toml: removed (manifest)", "", true},
		{"malformed manifest", []string{"prepare", "--manifest-path", bad + "/Cargo.toml", "--recipe-path", recipePath + ".2"},
			1, "", "Cargo.toml:1:", false},
		{"newer recipe", []string{"prepare", "--manifest-path", layouts + "/single/Cargo.toml", "--explain", newer},
			1, "", "recipe format 7 is newer than this berth (2); upgrade berth", false},
		{"stray argument", []string{"prepare", "extra"}, 2, "", "unknown argument \"extra\"", false},
		{"assumed targets", []string{"prepare", "--manifest-path", dir + "/solo/Cargo.toml", "--recipe-path", recipePath + ".3",
			"--assume-file", dir + "/solo/src/main.rs", "--assume-file", dir + "/solo/src/bin/tool/main.rs"},
			0, "", "1 packages, 2 targets", false},
		{"planner out of date", []string{"prepare", "--manifest-path", planner + "/Cargo.toml", "--recipe-path", recipePath + ".4",
			"--assume-file", planner + "/app/src/main.rs"}, 1, "", "run `cargo berth dockerfile --force`", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runBerth(t, c.args...)
			if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", code, out, errOut, c.code, c.out, c.err)
			}
		})
	}
	if _, err := os.Stat(recipePath + ".2"); err == nil {
		t.Errorf("a failed prepare wrote a recipe")
	}
}

func TestCookCmdErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte(`{"version": 1, "workspace_root": "/abs"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	cases := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"conflicting profile", []string{"cook", "--release", "--profile", "dev"}, 2, "--release is --profile release, and --profile dev was given too"},
		{"missing recipe", []string{"cook", "--recipe-path", filepath.Join(dir, "none.json")}, 1, "reading recipe"},
		{"corrupt recipe", []string{"cook", "--recipe-path", corrupt, "--dir", work}, 1, "corrupt recipe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := runBerth(t, c.args...)
			if code != c.code || !strings.Contains(errOut, c.err) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, c.code, c.err)
			}
		})
	}
	if _, err := os.Stat(work); err == nil {
		t.Errorf("cook wrote into %s from a corrupt recipe", work)
	}
}
