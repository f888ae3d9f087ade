package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/recipe"
	"github.com/berth-dev/berth/internal/workspace"
)

// Described is what a Dockerfile of the project needs to know of it: the
// binary and its settings, the build context, the files the recipe is
// made of, and the toolchain.
type Described struct {
	Bin, Package string
	Settings     config.Resolved
	// ContextDir is the build context (the workspace root, or the
	// directory above it that also holds its path dependencies);
	// WorkspaceDir the workspace root relative to it, slash-separated.
	ContextDir, WorkspaceDir string
	// Root is the workspace root; Locked says it has a Cargo.lock.
	Root   string
	Locked bool
	// Planner are the files the recipe is made of, for a planner stage
	// that copies only them.
	Planner recipe.Inputs
	// Channel is the rust-toolchain file's channel, RustVersion the
	// package's rust-version ("" when none).
	Channel, RustVersion string
}

// Describe reads the project and the settings for a Dockerfile: nothing is
// built, and nothing of cargo runs.
func Describe(ctx context.Context, req Request) (*Described, error) {
	p := &Plan{req: req, runner: &cargo.Runner{Stderr: req.Log, Env: req.Env}}
	manifest, err := findManifest(req.Cargo.ManifestPath)
	if err != nil {
		return nil, err
	}
	ws, err := workspace.Load(req.Cargo.ManifestPath)
	if err != nil {
		return nil, err
	}
	p.project, p.manifest = ws, manifest
	sel, cfg, err := settings(p.project, req.Settings, p.env(), p.selectBinary)
	if err != nil {
		return nil, err
	}
	d := &Described{Bin: sel.Bin, Package: sel.Package.Name, Settings: cfg, ContextDir: ws.ContextDir(), Root: ws.WorkspaceRoot,
		Planner: recipe.PlannerInputs(ws), RustVersion: rustVersion(ws, sel.Package.ManifestPath)}
	rel, err := filepath.Rel(d.ContextDir, ws.WorkspaceRoot)
	if err != nil {
		return nil, err
	}
	d.WorkspaceDir = filepath.ToSlash(rel)
	_, err = os.Stat(filepath.Join(ws.WorkspaceRoot, "Cargo.lock"))
	d.Locked = err == nil
	if d.Channel, err = toolchainChannel(ws); err != nil {
		return nil, err
	}
	return d, nil
}

// toolchainChannel is the channel of the rust-toolchain file rustup would
// use for a build at the workspace root ("" when there is none).
func toolchainChannel(ws *workspace.Project) (string, error) {
	for _, f := range ws.BuildFiles() {
		if !f.Toolchain {
			continue
		}
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", f.Path, err)
		}
		return parseChannel(f.Path, data)
	}
	return "", nil
}

// parseChannel reads [toolchain] channel, or the legacy one-line form.
func parseChannel(path string, data []byte) (string, error) {
	text := strings.TrimSpace(string(data))
	if text != "" && !strings.ContainsAny(text, "[=\n") {
		return text, nil
	}
	raw, err := workspace.DecodeTOML(path, data)
	if err != nil {
		return "", err
	}
	channel, _ := workspace.Table(raw, "toolchain")["channel"].(string)
	return channel, nil
}

// rustVersion is the package's rust-version, following
// `rust-version.workspace = true`.
func rustVersion(ws *workspace.Project, manifestPath string) string {
	for _, p := range ws.Packages {
		if p.Manifest.Path != manifestPath {
			continue
		}
		switch v := workspace.Table(p.Manifest.Raw, "package")["rust-version"].(type) {
		case string:
			return v
		case map[string]any:
			if v["workspace"] == true {
				s, _ := workspace.Table(ws.RootManifest.Raw, "workspace", "package")["rust-version"].(string)
				return s
			}
		}
	}
	return ""
}
