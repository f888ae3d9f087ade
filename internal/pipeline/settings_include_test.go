package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/workspace"
)

// TestAnchorIncludes: an include written in a Cargo.toml names a file next
// to that Cargo.toml, whatever the working directory.
func TestAnchorIncludes(t *testing.T) {
	cases := []struct {
		name, dir string
		in, want  []string
	}{
		{"relative", "/work/api", []string{"config/prod.toml:/etc/api.toml"}, []string{"/work/api/config/prod.toml:/etc/api.toml"}},
		{"absolute stays", "/work/api", []string{"/etc/ssl/x.pem:/etc/x.pem"}, []string{"/etc/ssl/x.pem:/etc/x.pem"}},
		{"parent", "/work/api", []string{"../shared/a:/a"}, []string{"/work/shared/a:/a"}},
		{"no directory", "", []string{"a:/a"}, []string{"a:/a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := config.Layer{Name: "Cargo.toml"}
			l.Values.Include = append([]string(nil), c.in...)
			anchorIncludes(&l, c.dir)
			if !reflect.DeepEqual(l.Values.Include, c.want) {
				t.Errorf("got %q, want %q", l.Values.Include, c.want)
			}
		})
	}
}

// TestSettingsIncludeFromManifestDir: with --manifest-path, a package's
// include resolves next to its Cargo.toml even when the working directory
// holds a file at the same relative path; a missing one names its source.
func TestSettingsIncludeFromManifestDir(t *testing.T) {
	proj, elsewhere := t.TempDir(), t.TempDir()
	for _, dir := range []string{proj, elsewhere} {
		os.MkdirAll(filepath.Join(dir, "config"), 0o755)
		os.WriteFile(filepath.Join(dir, "config", "prod.toml"), []byte(dir), 0o644)
	}
	t.Chdir(elsewhere)
	pr := &cargoProjectWithInclude{manifest: filepath.Join(proj, "Cargo.toml"), include: "config/prod.toml:/etc/app.toml"}
	_, cfg, err := settings(pr.project(t), config.Layer{Name: "flag"}, nil, pr.pick)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(proj, "config/prod.toml") + ":/etc/app.toml"}; !reflect.DeepEqual(cfg.Include, want) {
		t.Errorf("include = %q, want %q", cfg.Include, want)
	}
	os.Remove(filepath.Join(proj, "config", "prod.toml"))
	if err := checkIncludes(cfg, "app"); err == nil || !strings.Contains(err.Error(), "[package.metadata.berth]") {
		t.Errorf("missing include: err = %v, want its source named", err)
	}
}

// cargoProjectWithInclude is a one-package project whose
// [package.metadata.berth] sets include.
type cargoProjectWithInclude struct {
	manifest, include string
	pkg               *workspace.Package
}

func (c *cargoProjectWithInclude) project(t *testing.T) *workspace.Project {
	t.Helper()
	meta, err := json.Marshal(map[string]any{"berth": map[string]any{"include": []string{c.include}}})
	if err != nil {
		t.Fatal(err)
	}
	c.pkg = &workspace.Package{Name: "app", ManifestPath: c.manifest, Metadata: meta}
	return &workspace.Project{WorkspaceRoot: filepath.Dir(c.manifest), Packages: []workspace.Package{*c.pkg}}
}

func (c *cargoProjectWithInclude) pick(string) (workspace.Selection, error) {
	return workspace.Selection{Package: c.pkg, Bin: "app"}, nil
}
