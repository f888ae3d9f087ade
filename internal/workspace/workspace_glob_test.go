package workspace_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/testenv"
	"github.com/berth-dev/berth/internal/workspace"
)

func pkgToml(name string) string {
	return "[package]\nname = \"" + name + "\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"
}

// members builds files for a virtual workspace and a package in each dir.
func members(ws string, dirs ...string) map[string]string {
	files := map[string]string{"Cargo.toml": "[workspace]\nresolver = \"2\"\n" + ws}
	for _, d := range dirs {
		files[d+"/Cargo.toml"] = pkgToml(strings.ReplaceAll(strings.Trim(filepath.Base(d), "."), "_", "-"))
		files[d+"/src/lib.rs"] = ""
	}
	return files
}

func with(files map[string]string, extra ...string) map[string]string {
	for i := 0; i+1 < len(extra); i += 2 {
		files[extra[i]] = extra[i+1]
	}
	return files
}

// TestWorkspaceGlobs pins how member globs expand; each case was checked
// against cargo 1.95 and is compared with `cargo metadata` when cargo is
// available.
func TestWorkspaceGlobs(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		want    []string // member dirs, sorted
		wantErr string
	}{
		{"** matches zero or more directories", members(`members = ["crates/**/svc-*"]`,
			"crates/svc-a", "crates/x/svc-b", "crates/x/y/svc-c", "crates/x/y/other"),
			[]string{"crates/svc-a", "crates/x/svc-b", "crates/x/y/svc-c"}, ""},
		{"trailing ** is every directory below, not the directory itself", members(`members = ["crates/**"]`+"\nexclude = [\"crates/a/src\"]\n",
			"crates/a"), []string{"crates/a"}, ""},
		{"trailing ** reaches directories without a manifest", members(`members = ["crates/**"]`, "crates/a"),
			nil, `matches ` + "%ROOT%/crates/a/src, which has no Cargo.toml"},
		{"glob matching a directory without a manifest is an error", with(members(`members = ["crates/*"]`, "crates/a"),
			"crates/empty/notes.txt", ""), nil, "crates/empty, which has no Cargo.toml"},
		{"exclude skips it", with(members(`members = ["crates/*"]`+"\nexclude = [\"crates/empty\"]\n", "crates/a"),
			"crates/empty/notes.txt", ""), []string{"crates/a"}, ""},
		{"exclude is a path prefix, not a glob", with(members(`members = ["crates/*"]`+"\nexclude = [\"crates/e*\", \"crates/**\"]\n", "crates/a"),
			"crates/empty/notes.txt", ""), nil, "crates/empty, which has no Cargo.toml"},
		{"files matched by a glob are ignored", with(members(`members = ["crates/*", "docs/*.md"]`, "crates/a"),
			"crates/README.md", "", "docs/x.md", ""), []string{"crates/a"}, ""},
		{"negated class, ? and dot directories", members(`members = ["libs/[!x]*", "tools/?"]`,
			"libs/core", "libs/.dot", "libs/xcluded", "tools/a", "tools/bb"),
			[]string{"libs/.dot", "libs/core", "tools/a"}, ""},
		{"default member that is not a member", members(`members = ["crates/a"]`+"\ndefault-members = [\"crates/b\"]\n",
			"crates/a", "crates/b"), nil, "crates/b is listed in workspace.default-members but is not a member"},
		{"default members inside the members", members(`members = ["crates/*"]`+"\ndefault-members = [\"crates/b\"]\n",
			"crates/a", "crates/b"), []string{"crates/a", "crates/b"}, ""},
		{"glob matching nothing", members(`members = ["nothing/*"]`), nil,
			`workspace.members entry "nothing/*" matches no directory`},
		{"invalid recursive wildcard", members(`members = ["crates/a**"]`, "crates/a"), nil,
			`workspace.members entry "crates/a**" is not a valid glob: recursive wildcards must form a single path component`},
		{"unclosed class", members(`members = ["crates/[ab"]`, "crates/a"), nil,
			`is not a valid glob: invalid range pattern`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			ws, err := workspace.Load(filepath.Join(dir, "Cargo.toml"))
			switch {
			case c.wantErr != "":
				want := strings.ReplaceAll(c.wantErr, "%ROOT%", dir)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v, want %q", err, want)
				}
			case err != nil:
				t.Fatal(err)
			default:
				var got []string
				for _, m := range ws.Members() {
					rel, _ := filepath.Rel(dir, m.Dir())
					got = append(got, filepath.ToSlash(rel))
				}
				sort.Strings(got)
				if strings.Join(got, " ") != strings.Join(c.want, " ") {
					t.Errorf("members %v, want %v", got, c.want)
				}
			}
			agreeWithCargo(t, dir)
		})
	}
}

// agreeWithCargo checks that `cargo metadata --no-deps` on dir's workspace
// fails when berth's reader fails, and otherwise describes the same
// packages and targets. It skips without cargo (fails when BERTH_E2E=1).
func agreeWithCargo(t *testing.T, dir string) {
	t.Helper()
	testenv.RequireCargo(t)
	manifest := filepath.Join(dir, "Cargo.toml")
	got, berthErr := workspace.Load(manifest)
	r := &cargo.Runner{Env: testenv.CargoEnv(t)}
	want, cargoErr := r.Metadata(context.Background(), manifest)
	switch {
	case berthErr != nil && cargoErr != nil:
	case berthErr != nil:
		t.Errorf("berth fails (%v) where cargo metadata succeeds", berthErr)
	case cargoErr != nil:
		t.Errorf("cargo metadata fails where berth succeeds:\n%v", cargoErr)
	default:
		if g, w := comparable(t, got), comparable(t, want); g != w {
			t.Errorf("berth's reader and cargo metadata differ\nberth: %s\ncargo: %s", g, w)
		}
	}
}

// TestWorkspaceGlobSymlinkLoop: a symlink back up the tree does not make
// `**` loop for ever (cargo's glob crate would); the members are found once.
func TestWorkspaceGlobSymlinkLoop(t *testing.T) {
	dir := writeTree(t, members(`members = ["crates/**/svc-*"]`, "crates/svc-a", "crates/x/svc-b"))
	if err := os.Symlink("..", filepath.Join(dir, "crates", "x", "up")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var ws *workspace.Project
	go func() {
		var err error
		ws, err = workspace.Load(filepath.Join(dir, "Cargo.toml"))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("expanding crates/**/svc-* did not finish: the symlink loop was followed")
	}
	var got []string
	for _, m := range ws.Members() {
		rel, _ := filepath.Rel(dir, m.Dir())
		got = append(got, filepath.ToSlash(rel))
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "crates/svc-a crates/x/svc-b" {
		t.Errorf("members %v, want crates/svc-a and crates/x/svc-b once each", got)
	}
}
