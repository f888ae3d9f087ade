package recipe

import (
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/internal/workspace"
)

// Inputs are the paths Prepare reads from a workspace, relative to its
// ContextDir and slash-separated. A planner that copies Files and Dirs, and
// passes Targets as PrepareOptions.Assume, writes the same recipe as one
// that sees the whole project, and a source edit changes none of them.
type Inputs struct {
	// Files are every local manifest, Cargo.lock, and the cargo config and
	// toolchain files.
	Files []string
	// Dirs are the directories of [patch]/[replace] targets, whose sources
	// go into the recipe.
	Dirs []string
	// Targets are the target source files of the other local packages:
	// discovery needs them to exist; the recipe never reads them.
	Targets []string
}

// PlannerInputs lists the Inputs of the workspace's recipe.
func PlannerInputs(ws *workspace.Project) Inputs {
	base := ws.ContextDir()
	rel := func(p string) string { return relTo(base, p) }
	var in Inputs
	in.Files = append(in.Files, rel(ws.RootManifest.Path))
	for _, pkg := range ws.Packages {
		if pkg.Patched {
			in.Dirs = append(in.Dirs, rel(pkg.Dir()))
			continue
		}
		in.Files = append(in.Files, rel(pkg.Manifest.Path))
		for _, t := range pkg.Targets {
			in.Targets = append(in.Targets, rel(t.SrcPath))
		}
	}
	if lock := filepath.Join(ws.WorkspaceRoot, "Cargo.lock"); exists(lock) {
		in.Files = append(in.Files, rel(lock))
	}
	for _, f := range ws.BuildFiles() {
		in.Files = append(in.Files, rel(f.Path))
	}
	for _, list := range []*[]string{&in.Files, &in.Dirs, &in.Targets} {
		slices.Sort(*list)
		*list = slices.Compact(*list)
	}
	return in
}
