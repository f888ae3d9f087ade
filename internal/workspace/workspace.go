package workspace

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/berth-dev/berth/internal/cargoconfig"
)

// LoadOptions tune LoadWith.
type LoadOptions struct {
	// Assume lists files that target discovery takes as present though
	// they are not on disk (paths relative to the working directory). A
	// Dockerfile planner that copies the manifests alone passes the target
	// files it left out.
	Assume []string
}

// Load reads the workspace around manifestPath ("" means ./Cargo.toml),
// from the manifests alone, with no cargo and no network: it finds the
// root, expands members, follows path dependencies and [patch] entries, and
// discovers every package's targets.
func Load(manifestPath string) (*Project, error) {
	return LoadWith(manifestPath, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(manifestPath string, opts LoadOptions) (*Project, error) {
	files, err := newFileView(opts.Assume)
	if err != nil {
		return nil, err
	}
	if manifestPath == "" {
		manifestPath = "Cargo.toml"
	}
	start, err := ReadManifest(manifestPath)
	if err != nil {
		return nil, err
	}
	root, err := findRoot(start)
	if err != nil {
		return nil, err
	}
	l := &loader{root: root, pkgs: map[string]*Package{}, files: files}
	if err := l.load(); err != nil {
		return nil, err
	}
	ws := &Project{WorkspaceRoot: root.Dir(), TargetDirectory: filepath.Join(root.Dir(), "target"),
		Metadata: metadataJSON(root.Raw, "workspace"), RootManifest: root}
	for _, p := range l.pkgs {
		ws.Packages = append(ws.Packages, *p)
	}
	sort.Slice(ws.Packages, func(i, j int) bool { return ws.Packages[i].ManifestPath < ws.Packages[j].ManifestPath })
	if start.Path != root.Path && !l.pkgs[start.Path].isMember() {
		return nil, fmt.Errorf("%s believes it is in the workspace at %s but is not a member; add it to workspace.members or workspace.exclude", start.Path, root.Path)
	}
	// Like cargo, a member's own manifest makes it the only default member.
	if start.Path != root.Path {
		ws.DefaultMembers = []string{start.Path}
		return ws, nil
	}
	ws.DefaultMembers, err = l.defaultMembers()
	if err != nil {
		return nil, err
	}
	return ws, nil
}

func (p *Package) isMember() bool { return p != nil && p.Member }

// packageID spells a path package's id as cargo 1.77+ does.
func packageID(dir, name, version string) string {
	frag := name + "@" + version
	if filepath.Base(dir) == name {
		frag = version
	}
	return "path+file://" + filepath.ToSlash(dir) + "#" + frag
}

// ContextDir is the deepest directory holding the workspace root and every
// local package, path dependencies outside the workspace included: the
// smallest Docker build context that holds the whole project, and the root
// recipe paths are relative to.
func (w *Project) ContextDir() string {
	dir := w.WorkspaceRoot
	for _, p := range w.Packages {
		for !isWithin(dir, p.Dir()) {
			dir = filepath.Dir(dir)
		}
	}
	return dir
}

func isWithin(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// metadataJSON is the [<table>.metadata] of a manifest as JSON, the way cargo
// metadata reports it; nil when there is none.
func metadataJSON(raw map[string]any, table string) json.RawMessage {
	t, _ := raw[table].(map[string]any)
	m, ok := t["metadata"]
	if !ok {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil // TOML values always encode; nothing to report
	}
	return b
}

// BuildFiles are the cargo config and rustup toolchain files that a build
// at the workspace root reads from inside its build context: every one in
// the workspace root and its parents up to ContextDir, nearest directory
// first, and within a directory in the order of preference.
func (w *Project) BuildFiles() []cargoconfig.BuildFile {
	return cargoconfig.BuildFiles(w.WorkspaceRoot, w.ContextDir())
}
