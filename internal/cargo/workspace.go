package cargo

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Workspace is a cargo workspace as berth reads it from the manifests alone,
// with no cargo and no network.
type Workspace struct {
	// Root is the absolute directory of the workspace root manifest.
	Root string
	// RootManifest is the workspace root's Cargo.toml.
	RootManifest *Manifest
	// Packages holds every local package: members, path dependencies
	// (inside or outside the root) and [patch]/[replace] targets, sorted by
	// manifest path.
	Packages []*LocalPackage
	// DefaultMembers are the manifest paths `cargo build` builds by default.
	DefaultMembers []string
}

// LocalPackage is a package whose sources are local (no registry source).
type LocalPackage struct {
	Manifest *Manifest
	Name     string
	// Version is the resolved version; "0.0.0" when the manifest has none.
	Version string
	Edition string
	// About is what the package says of itself (description, license,
	// links, authors, default-run), inherited fields resolved.
	About About
	// Member is true for a workspace member.
	Member bool
	// Patched is true for the target of a [patch] or [replace] entry: it
	// stands in for a registry crate, so it is built as a dependency.
	Patched bool
	Targets []LocalTarget
	// PathDeps are the manifest paths of the package's path dependencies.
	PathDeps []string
}

// About is the descriptive part of [package], as cargo metadata gives it.
type About struct {
	Description, License, Repository, Homepage, DefaultRun string
	Authors                                                []string
}

// Dir is the package's root directory.
func (p *LocalPackage) Dir() string { return p.Manifest.Dir() }

// Load reads the workspace around manifestPath (a Cargo.toml; "" means
// ./Cargo.toml) and describes it the way `cargo metadata --no-deps` does.
func Load(manifestPath string) (*Project, error) {
	ws, err := LoadWorkspace(manifestPath)
	if err != nil {
		return nil, err
	}
	return ws.Project(), nil
}

// LoadOptions tune LoadWorkspaceWith.
type LoadOptions struct {
	// Assume lists files that target discovery takes as present though
	// they are not on disk (paths relative to the working directory). A
	// Dockerfile planner that copies the manifests alone passes the target
	// files it left out.
	Assume []string
}

// LoadWorkspace reads the workspace around manifestPath ("" means
// ./Cargo.toml): it finds the root, expands members, follows path
// dependencies and [patch] entries, and discovers every package's targets.
func LoadWorkspace(manifestPath string) (*Workspace, error) {
	return LoadWorkspaceWith(manifestPath, LoadOptions{})
}

// LoadWorkspaceWith is LoadWorkspace with options.
func LoadWorkspaceWith(manifestPath string, opts LoadOptions) (*Workspace, error) {
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
	l := &loader{root: root, pkgs: map[string]*LocalPackage{}, files: files}
	if err := l.load(); err != nil {
		return nil, err
	}
	ws := &Workspace{Root: root.Dir(), RootManifest: root}
	for _, p := range l.pkgs {
		ws.Packages = append(ws.Packages, p)
	}
	sort.Slice(ws.Packages, func(i, j int) bool { return ws.Packages[i].Manifest.Path < ws.Packages[j].Manifest.Path })
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

func (p *LocalPackage) isMember() bool { return p != nil && p.Member }

// Members returns the workspace members, sorted by manifest path.
func (ws *Workspace) Members() []*LocalPackage {
	var out []*LocalPackage
	for _, p := range ws.Packages {
		if p.Member {
			out = append(out, p)
		}
	}
	return out
}

// Project converts the workspace to cargo metadata's shape (members only,
// as `cargo metadata --no-deps` lists them).
func (ws *Workspace) Project() *Project {
	pr := &Project{WorkspaceRoot: ws.Root, TargetDirectory: filepath.Join(ws.Root, "target"),
		Metadata: metadataJSON(ws.RootManifest.Raw, "workspace")}
	ids := map[string]string{}
	for _, p := range ws.Members() {
		pkg := p.metadataPackage()
		ids[p.Manifest.Path] = pkg.ID
		pr.Packages = append(pr.Packages, pkg)
		pr.WorkspaceMembers = append(pr.WorkspaceMembers, pkg.ID)
	}
	for _, m := range ws.DefaultMembers {
		if id, ok := ids[m]; ok {
			pr.DefaultMembers = append(pr.DefaultMembers, id)
		}
	}
	return pr
}

// packageID spells a path package's id as cargo 1.77+ does.
func packageID(dir, name, version string) string {
	frag := name + "@" + version
	if filepath.Base(dir) == name {
		frag = version
	}
	return "path+file://" + filepath.ToSlash(dir) + "#" + frag
}

func (p *LocalPackage) metadataPackage() Package {
	pkg := Package{
		Name: p.Name, Version: p.Version, ID: packageID(p.Dir(), p.Name, p.Version),
		ManifestPath: p.Manifest.Path, Edition: p.Edition,
		Metadata:    metadataJSON(p.Manifest.Raw, "package"),
		Description: p.About.Description, License: p.About.License, Repository: p.About.Repository,
		Homepage: p.About.Homepage, DefaultRun: p.About.DefaultRun, Authors: p.About.Authors,
	}
	for _, t := range p.Targets {
		pkg.Targets = append(pkg.Targets, t.Target)
	}
	return pkg
}

// ContextDir is the deepest directory holding the workspace root and every
// local package, path dependencies outside the workspace included: the
// smallest Docker build context that holds the whole project, and the root
// recipe paths are relative to.
func (w *Workspace) ContextDir() string {
	dir := w.Root
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
