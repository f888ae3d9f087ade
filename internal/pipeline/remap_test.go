package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/internal/workspace"
)

func TestRemaps(t *testing.T) {
	tmp := t.TempDir()
	ws, elsewhere := filepath.Join(tmp, "ws"), filepath.Join(tmp, "lib")
	link := filepath.Join(tmp, "link")
	os.MkdirAll(ws, 0o755)
	if err := os.Symlink(ws, link); err != nil {
		t.Fatal(err)
	}
	member := workspace.Package{Name: "api", Version: "0.1.0", ManifestPath: filepath.Join(ws, "api", "Cargo.toml")}
	outside := workspace.Package{Name: "shared", Version: "1.2.0", ManifestPath: filepath.Join(elsewhere, "Cargo.toml")}
	tests := []struct {
		name   string
		pr     workspace.Project
		home   string
		target string
		want   []string // from=to, in the order rustc gets them
	}{
		{"target inside the workspace comes after it", workspace.Project{WorkspaceRoot: ws, Packages: []workspace.Package{member}},
			"/home/u/.cargo", filepath.Join(ws, "target", ".berth"),
			[]string{"/home/u/.cargo=" + remapCargoHome, ws + "=" + remapWorkspace, filepath.Join(ws, "target", ".berth") + "=" + remapTarget}},
		{"CARGO_HOME inside the workspace comes after it", workspace.Project{WorkspaceRoot: ws},
			filepath.Join(ws, ".cargo-home"), "/t/.berth",
			[]string{"/t/.berth=" + remapTarget, ws + "=" + remapWorkspace, filepath.Join(ws, ".cargo-home") + "=" + remapCargoHome}},
		{"no CARGO_HOME", workspace.Project{WorkspaceRoot: ws}, "", "/t/.berth",
			[]string{"/t/.berth=" + remapTarget, ws + "=" + remapWorkspace}},
		{"path dependency outside the workspace", workspace.Project{WorkspaceRoot: ws, Packages: []workspace.Package{member, outside}},
			"/h", "/t/.berth",
			[]string{"/h=" + remapCargoHome, "/t/.berth=" + remapTarget, ws + "=" + remapWorkspace, elsewhere + "=" + remapPathDeps + "/shared-1.2.0"}},
		{"a symbolic link under both names", workspace.Project{WorkspaceRoot: link}, "/h", "/t/.berth",
			[]string{"/h=" + remapCargoHome, "/t/.berth=" + remapTarget, ws + "=" + remapWorkspace, link + "=" + remapWorkspace}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range remaps(&tt.pr, tt.home, tt.target) {
				got = append(got, r.from+"="+r.to)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("remaps =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestRemapFlagsAndNames(t *testing.T) {
	rs := []pathRemap{{"cargo-home", "/home/u/.cargo", remapCargoHome}, {"workspace", "/src/api", remapWorkspace}}
	flags := remapFlags(rs)
	want := []string{"--remap-path-prefix=/home/u/.cargo=/berth/cargo-home", "--remap-path-prefix=/src/api=/berth/workspace"}
	if !slices.Equal(flags, want) {
		t.Errorf("flags = %q, want %q", flags, want)
	}
	names := remapNames(rs)
	if len(names) != 2 || names["workspace"] != remapWorkspace || names["cargo-home"] != remapCargoHome {
		t.Errorf("names = %v: want the neutral names by role, no machine path", names)
	}
	if remapFlags(nil) != nil || remapNames(nil) != nil {
		t.Error("no remap must add no flag and record nothing")
	}
}
