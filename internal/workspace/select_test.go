package workspace_test

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/workspace"
)

func bins(names ...string) []workspace.Target {
	var out []workspace.Target
	for _, n := range names {
		out = append(out, workspace.Target{Name: n, Kind: []string{"bin"}})
	}
	return append(out, workspace.Target{Name: "lib", Kind: []string{"lib"}})
}

func TestSelectBinary(t *testing.T) {
	single := &workspace.Project{WorkspaceRoot: "/w", Packages: []workspace.Package{
		{Member: true, Name: "a", ID: "a", ManifestPath: "/w/Cargo.toml", Targets: bins("a")},
	}}
	multi := &workspace.Project{WorkspaceRoot: "/w", Packages: []workspace.Package{
		{Member: true, Name: "a", ID: "a", ManifestPath: "/w/Cargo.toml", Targets: bins("x", "y")},
	}}
	defaultRun := &workspace.Project{WorkspaceRoot: "/w", Packages: []workspace.Package{
		{Member: true, Name: "a", ID: "a", ManifestPath: "/w/Cargo.toml", DefaultRun: "y", Targets: bins("x", "y")},
	}}
	virtual := &workspace.Project{WorkspaceRoot: "/w", Packages: []workspace.Package{
		{Member: true, Name: "a", ID: "a", ManifestPath: "/w/a/Cargo.toml", Targets: bins("api")},
		{Member: true, Name: "b", ID: "b", ManifestPath: "/w/b/Cargo.toml", Targets: bins("worker", "shared")},
		{Member: true, Name: "c", ID: "c", ManifestPath: "/w/c/Cargo.toml", Targets: bins("shared")},
	}}
	tests := []struct {
		name     string
		pr       *workspace.Project
		manifest string // "" means the workspace root's
		pkg, bin string
		wantPkg  string
		wantBin  string
		wantErr  []string
	}{
		{"only binary", single, "", "", "", "a", "a", nil},
		{"member directory", virtual, "/w/b/Cargo.toml", "", "worker", "b", "worker", nil},
		{"member directory, ambiguous", virtual, "/w/b/Cargo.toml", "", "", "", "", []string{`package "b" has several binaries`}},
		{"explicit bin", multi, "", "", "y", "a", "y", nil},
		{"several, no default-run", multi, "", "", "", "", "", []string{"--bin", "x (package a)", "y (package a)"}},
		{"default-run", defaultRun, "", "", "", "a", "y", nil},
		{"unknown bin", multi, "", "", "z", "", "", []string{`no binary "z"`, "x (package a)"}},
		{"virtual by bin", virtual, "", "", "worker", "b", "worker", nil},
		{"virtual ambiguous bin", virtual, "", "", "shared", "", "", []string{"several packages", "-p/--package"}},
		{"virtual by package", virtual, "", "a", "", "a", "api", nil},
		{"package disambiguates", virtual, "", "c", "shared", "c", "shared", nil},
		{"unknown package", virtual, "", "nope", "", "", "", []string{`package "nope"`, "a, b, c"}},
		{"virtual many", virtual, "", "", "", "", "", []string{"the workspace has several binaries", "api (package a)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifest := tt.manifest
			if manifest == "" {
				manifest = "/w/Cargo.toml"
			}
			sel, err := tt.pr.SelectBinaryFrom(manifest, tt.pkg, tt.bin)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("got %s/%s, want error", sel.Package.Name, sel.Bin)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sel.Package.Name != tt.wantPkg || sel.Bin != tt.wantBin {
				t.Errorf("got %s/%s, want %s/%s", sel.Package.Name, sel.Bin, tt.wantPkg, tt.wantBin)
			}
		})
	}
}
