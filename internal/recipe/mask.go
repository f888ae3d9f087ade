package recipe

import (
	"path/filepath"

	"github.com/berth-dev/berth/internal/workspace"
)

// maskedVersion replaces every local version, so a version bump leaves the
// recipe (and the dependency layer) unchanged.
const maskedVersion = "0.0.0"

// maskManifest re-encodes a manifest deterministically with local versions
// masked (package.version, workspace.package.version, and the `version`
// requirement of every path dependency on a masked package) and the fields
// no dependency sees left out (hiddenFields, [badges]). Every other key is
// kept.
func maskManifest(raw map[string]any, dir string, maskedDirs map[string]bool) ([]byte, error) {
	if pkg := workspace.Table(raw, "package"); pkg != nil {
		maskVersion(pkg)
		maskHidden(pkg)
	}
	if wsPkg := workspace.Table(raw, "workspace", "package"); wsPkg != nil {
		maskVersion(wsPkg)
		maskHidden(wsPkg)
	}
	delete(raw, "badges")
	tables := workspace.DependencyTables(raw)
	if wsDeps := workspace.Table(raw, "workspace", "dependencies"); wsDeps != nil {
		tables = append(tables, workspace.DepTable{Table: wsDeps})
	}
	for _, dt := range tables {
		for _, dep := range dt.Table {
			d, ok := dep.(map[string]any)
			if !ok {
				continue
			}
			rel, ok := d["path"].(string)
			if ok && maskedDirs[filepath.Join(dir, rel)] {
				maskVersion(d)
			}
		}
	}
	return workspace.EncodeTOML(raw)
}

// hiddenFields are the [package] keys no compilation can see: cargo only
// publishes them (description, authors, homepage and repository reach the
// package's own crate as CARGO_PKG_* variables, and cook rebuilds every
// local crate anyway). The recipe leaves them out, as it does [badges], so
// that editing them changes no layer.
var hiddenFields = []string{"description", "authors", "keywords", "categories", "readme", "homepage", "documentation", "repository", "publish"}

func maskHidden(t map[string]any) {
	for _, k := range hiddenFields {
		delete(t, k)
	}
}

func maskVersion(t map[string]any) {
	if _, ok := t["version"].(string); ok {
		t["version"] = maskedVersion
	}
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}
