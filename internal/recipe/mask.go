package recipe

import (
	"path/filepath"

	"github.com/berth-dev/berth/internal/workspace"
)

// maskedVersion replaces every local version, so a version bump leaves the
// recipe (and the dependency layer) unchanged.
const maskedVersion = "0.0.0"

// maskManifest re-encodes a manifest deterministically with local versions
// masked: package.version, workspace.package.version, and the `version`
// requirement of every path dependency on a masked package. Every other key
// is kept.
func maskManifest(m *workspace.Manifest, maskedDirs map[string]bool) ([]byte, error) {
	raw := deepCopy(m.Raw).(map[string]any)
	if pkg := workspace.Table(raw, "package"); pkg != nil {
		maskVersion(pkg)
	}
	if wsPkg := workspace.Table(raw, "workspace", "package"); wsPkg != nil {
		maskVersion(wsPkg)
	}
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
			if ok && maskedDirs[filepath.Join(m.Dir(), rel)] {
				maskVersion(d)
			}
		}
	}
	return workspace.EncodeTOML(raw)
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
