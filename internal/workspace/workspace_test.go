package workspace_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"testing"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/testenv"
	"github.com/berth-dev/berth/internal/workspace"
)

// layouts are the fixture workspaces under testdata/layouts, by the manifest
// path berth is pointed at.
var layouts = []string{
	"single/Cargo.toml",
	"virtual/Cargo.toml",
	"virtual/crates/app/Cargo.toml",
	"mixed/Cargo.toml",
	"mixed/old/Cargo.toml",
	"patched/app/Cargo.toml",
	"globs/Cargo.toml",
	"patchmember/Cargo.toml",
}

// about is what a package says of itself.
type about struct {
	Description, License, Repository, Homepage, DefaultRun string
	Authors                                                []string
}

// comparable reduces a Project to what berth's reader and cargo must agree
// on, in a canonical order.
func comparable(t *testing.T, p *workspace.Project) string {
	t.Helper()
	type target struct {
		Name, SrcPath, Edition string
		Kind, CrateTypes, Req  []string
	}
	type pkg struct {
		Name, Version, ID, ManifestPath, Edition string
		Metadata                                 any
		Targets                                  []target
		About                                    about
	}
	var out struct {
		Root             string
		Metadata         any
		Packages         []pkg
		Members, Default []string
	}
	out.Root, out.Metadata = p.WorkspaceRoot, decoded(t, p.Metadata)
	for _, pk := range p.Members() {
		c := pkg{Name: pk.Name, Version: pk.Version, ID: pk.ID, ManifestPath: pk.ManifestPath, Edition: pk.Edition,
			Metadata: decoded(t, pk.Metadata), About: about{Description: pk.Description, License: pk.License,
				Repository: pk.Repository, Homepage: pk.Homepage, DefaultRun: pk.DefaultRun, Authors: pk.Authors}}
		if len(c.About.Authors) == 0 {
			c.About.Authors = nil // cargo metadata says [], berth's reader nil
		}
		for _, tg := range pk.Targets {
			c.Targets = append(c.Targets, target{tg.Name, tg.SrcPath, tg.Edition, tg.Kind, tg.CrateTypes, tg.RequiredFeatures})
		}
		sort.Slice(c.Targets, func(i, j int) bool {
			return c.Targets[i].Kind[0]+c.Targets[i].Name < c.Targets[j].Kind[0]+c.Targets[j].Name
		})
		out.Packages = append(out.Packages, c)
	}
	sort.Slice(out.Packages, func(i, j int) bool { return out.Packages[i].ID < out.Packages[j].ID })
	for _, pk := range p.Members() {
		out.Members = append(out.Members, pk.ID)
	}
	out.Default = append(out.Default, p.DefaultMembers...)
	sort.Strings(out.Members)
	sort.Strings(out.Default)
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// decoded is a JSON document as plain values, so that key order and
// spacing do not count; null and absent are the same.
func decoded(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLoadMatchesCargoMetadata checks berth's pure-Go reader against
// `cargo metadata --no-deps --offline` on every layout.
func TestLoadMatchesCargoMetadata(t *testing.T) {
	testenv.RequireCargo(t)
	r := &cargo.Runner{Env: testenv.CargoEnv(t)}
	for _, l := range layouts {
		t.Run(l, func(t *testing.T) {
			manifest, err := filepath.Abs(filepath.Join("testdata", "layouts", l))
			if err != nil {
				t.Fatal(err)
			}
			want, err := r.Metadata(context.Background(), manifest)
			if err != nil {
				t.Fatal(err)
			}
			got, err := workspace.Load(manifest)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := comparable(t, got), comparable(t, want); g != w {
				t.Errorf("berth's reader and cargo metadata differ\nberth: %s\ncargo: %s", g, w)
			}
		})
	}
}
