package pipeline

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/rootfs"
	"github.com/berth-dev/berth/internal/workspace"
)

// settings resolves berth's configuration for one binary: defaults <
// [workspace.metadata.berth] < [package.metadata.berth] < BERTH_* < flags.
// The binary is picked first from everything but the package's own table
// (which cannot be read before its package is known), then that table joins.
// pr may be nil (a prebuilt binary outside any project).
func settings(pr *workspace.Project, flags config.Layer, environ []string, pick func(bin string) (workspace.Selection, error)) (workspace.Selection, config.Resolved, error) {
	env, err := config.FromEnv(lookup(environ))
	if err != nil {
		return workspace.Selection{}, config.Resolved{}, inputf("%v", err)
	}
	defaults := config.Layer{Name: "default", Values: config.Defaults()}
	var ws, pkg config.Layer
	if pr != nil {
		if ws, err = config.FromMetadata("Cargo.toml [workspace.metadata.berth]", pr.Metadata); err != nil {
			return workspace.Selection{}, config.Resolved{}, inputf("%v", err)
		}
		anchorIncludes(&ws, pr.WorkspaceRoot)
	}
	pre := config.Resolve(defaults, ws, env, flags)
	bin := ""
	if pre.Bin != nil {
		bin = *pre.Bin
	}
	sel, err := pick(bin)
	if err != nil {
		return workspace.Selection{}, config.Resolved{}, err
	}
	if sel.Package != nil {
		where := fmt.Sprintf("%s [package.metadata.berth]", sel.Package.ManifestPath)
		if pkg, err = config.FromMetadata(where, sel.Package.Metadata); err != nil {
			return workspace.Selection{}, config.Resolved{}, inputf("%v", err)
		}
		anchorIncludes(&pkg, filepath.Dir(sel.Package.ManifestPath))
	}
	cfg := config.Resolve(defaults, ws, pkg, env, flags)
	if err := cfg.Validate(); err != nil {
		return workspace.Selection{}, config.Resolved{}, inputf("%v", err)
	}
	return sel, cfg, nil
}

// checkIncludes checks, for a build or a stage, before cargo runs, that
// each include's source exists and that none lands on a path berth makes
// (the binary's, the auto base's files: rootfs.Planned), naming where the
// setting came from.
func checkIncludes(cfg config.Resolved, bin string) error {
	for _, inc := range cfg.Include {
		src, _, ok := strings.Cut(inc, ":")
		if !ok {
			continue // rootfs says what the form is
		}
		if src == "" {
			continue
		}
		if _, err := os.Stat(src); err != nil {
			return inputf("include %q (from %s): %v; paths in Cargo.toml are relative to that Cargo.toml's directory, others to the current directory", inc, cfg.Source("include"), err)
		}
	}
	if err := rootfs.CheckIncludes(cfg.Include, rootfs.Planned(*cfg.Base == BaseAuto || *cfg.Base == "", path.Join(BinDir, bin))); err != nil {
		return inputf("include (from %s): %v", cfg.Origin("include"), err)
	}
	return nil
}

// checkBeforeCargo checks what a build or a stage can check before cargo
// runs, beyond config's Validate: the includes (checkIncludes), the user's
// names against the image berth makes for the auto and scratch bases (a
// base image's are checked after its pull), and --library-path.
func checkBeforeCargo(cfg config.Resolved, bin string, libraryPaths []string) error {
	if err := checkIncludes(cfg, bin); err != nil {
		return err
	}
	if b := *cfg.Base; b == BaseAuto || b == BaseScratch {
		if err := rootfs.CheckPlannedUser(*cfg.User, b == BaseAuto); err != nil {
			return inputf("user (from %s): %v", cfg.Origin("user"), err)
		}
	}
	if err := config.ValidLibraryPaths(libraryPaths); err != nil {
		return inputf("%v", err)
	}
	return nil
}

// anchorIncludes resolves the relative sources of a manifest's includes
// against the manifest's directory: a path written in a file means a path
// next to that file, whatever directory berth runs in (--manifest-path).
func anchorIncludes(l *config.Layer, dir string) {
	if dir == "" {
		return
	}
	for i, inc := range l.Values.Include {
		src, dest, ok := strings.Cut(inc, ":")
		if ok && src != "" && !filepath.IsAbs(src) {
			l.Values.Include[i] = filepath.Join(dir, src) + ":" + dest
		}
	}
}
