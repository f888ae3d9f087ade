package pipeline

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/internal/cargoconfig"
	"github.com/berth-dev/berth/internal/workspace"
)

// The neutral names rustc writes for the machine's directories, in panic
// locations, file!() and debug information (--remap-path-prefix).
const (
	remapWorkspace = "/berth/workspace"
	remapCargoHome = "/berth/cargo-home"
	remapTarget    = "/berth/target"
	remapPathDeps  = "/berth/path"
)

// hostTargetSubdir is the target directory of berth's host builds, inside
// the user's: cargo keeps rustflags in its fingerprints, so remapped builds
// and a plain `cargo build` sharing one directory would recompile each
// other's dependencies. The dot keeps it apart from everything else in the
// target directory: cargo's profile names and crate names (which name
// binaries, and so the default layouts under berth/) allow no dot, and
// target triples start with the architecture.
const hostTargetSubdir = ".berth"

// pathRemap is one directory of the build machine and the neutral name
// rustc writes for it.
type pathRemap struct {
	role     string // workspace, cargo-home, target, path-dependency <name>
	from, to string
}

// resolveRemap decides, once the settings are known, whether cargo's
// paths are remapped: for a host build (not stage, whose cook runs in
// Docker at fixed paths with the flags stage must repeat) of a project,
// unless remap-paths is false. It then sets berth's own target directory.
func (p *Plan) resolveRemap() error {
	if p.req.Stage || p.req.prebuilt() || p.project == nil || p.cfg.RemapPaths == nil || !*p.cfg.RemapPaths {
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("finding the working directory cargo resolves CARGO_HOME against: %w", err)
	}
	p.hostTarget = filepath.Join(p.project.TargetDirectory, hostTargetSubdir)
	home := cargoconfig.Home(p.env())
	if home != "" && !filepath.IsAbs(home) {
		home = filepath.Join(wd, home)
	}
	p.remap = remaps(p.project, home, p.hostTarget)
	return nil
}

// remaps are the directories to remap, the most specific last (rustc
// applies the last prefix that matches): the workspace root, CARGO_HOME
// (home; "" when cargo would ask the password database), the target
// directory, and each local package outside the workspace. A directory
// reached through a symbolic link is given under both its names.
func remaps(pr *workspace.Project, home, target string) []pathRemap {
	all := []pathRemap{{"workspace", pr.WorkspaceRoot, remapWorkspace}, {"target", target, remapTarget}}
	if home != "" {
		all = append(all, pathRemap{"cargo-home", home, remapCargoHome})
	}
	for _, pkg := range pr.Packages {
		dir := filepath.Dir(pkg.ManifestPath)
		if rel, err := filepath.Rel(pr.WorkspaceRoot, dir); err != nil || !filepath.IsLocal(rel) {
			name := pkg.Name + "-" + pkg.Version
			all = append(all, pathRemap{"path-dependency " + name, dir, remapPathDeps + "/" + name})
		}
	}
	for _, r := range all {
		if real, err := filepath.EvalSymlinks(r.from); err == nil && real != r.from {
			all = append(all, pathRemap{r.role, real, r.to})
		}
	}
	slices.SortFunc(all, func(a, b pathRemap) int {
		return cmp.Or(cmp.Compare(len(a.from), len(b.from)), cmp.Compare(a.from, b.from))
	})
	return slices.CompactFunc(all, func(a, b pathRemap) bool { return a.from == b.from })
}

// remapFlags are rustc's flags for rs.
func remapFlags(rs []pathRemap) []string {
	if len(rs) == 0 {
		return nil
	}
	flags := make([]string, len(rs))
	for i, r := range rs {
		flags[i] = "--remap-path-prefix=" + r.from + "=" + r.to
	}
	return flags
}

// remapNames are the neutral names by role, for the provenance: the same
// on every machine, unlike the directories.
func remapNames(rs []pathRemap) map[string]string {
	if len(rs) == 0 {
		return nil
	}
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		m[r.role] = r.to
	}
	return m
}

// hostEnv is t's cargo environment with berth's own target directory, when
// paths are remapped.
func (p *Plan) hostEnv(t Target) Target {
	if p.hostTarget != "" {
		t.Env = append(slices.Clone(t.Env), "CARGO_TARGET_DIR="+p.hostTarget)
	}
	return t
}
