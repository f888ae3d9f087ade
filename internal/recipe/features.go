package recipe

import (
	"path"
	"sort"
	"strings"

	"github.com/berth-dev/berth/internal/workspace"
)

// localPkg is a local package of a recipe, read back from its masked
// manifest.
type localPkg struct {
	name      string
	dir       string // slash path from the recipe root
	raw       map[string]any
	features  map[string][]string
	procMacro bool
}

// activation is a local package built on one side: for the target, or for
// the host (build scripts, proc-macros and what they use), whose features
// cargo's resolver 2 keeps apart.
type activation struct {
	pkg  string
	host bool
}

// request is what one local package asks of one third-party crate.
type request struct {
	from     string // the local package asking
	host     bool
	cfg      string // [target.<cfg>] key, "" for every target
	spec     depSpec
	features []string
}

// depSpec is a dependency declaration with workspace inheritance applied.
type depSpec struct {
	key, pkg, version string
	source            map[string]any // git, branch, tag, rev, registry, registry-index
	path              string         // slash path from the recipe root; "" for none
	features          []string
	noDefault         bool
	optional          bool
}

// resolver turns on, from the selection, the features of every local
// package the build reaches, and collects what they ask of third-party
// crates: cargo's feature resolution, for local packages only.
type resolver struct {
	locals  map[string]*localPkg // by name
	byDir   map[string]*localPkg
	wsDeps  map[string]any
	rootDir string
	enabled map[activation]map[string]bool
}

// enable turns feature f on for a ("" only activates a); it reports
// whether anything changed.
func (rs *resolver) enable(a activation, f string) bool {
	set, seen := rs.enabled[a]
	if !seen {
		set = map[string]bool{}
		rs.enabled[a] = set
	}
	if f == "" || set[f] {
		return !seen
	}
	set[f] = true
	return true
}

// run activates the roots and repeats until no feature turns on, then
// returns every request of the activated packages.
func (rs *resolver) run() []request {
	for changed := true; changed; {
		changed = false
		for _, a := range rs.activations() {
			_, more := rs.visit(a)
			for _, e := range more {
				changed = rs.enable(e.a, e.f) || changed
			}
		}
	}
	var out []request
	for _, a := range rs.activations() {
		reqs, _ := rs.visit(a)
		out = append(out, reqs...)
	}
	return out
}

func (rs *resolver) activations() []activation {
	var out []activation
	for a := range rs.enabled {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].pkg != out[j].pkg {
			return out[i].pkg < out[j].pkg
		}
		return !out[i].host && out[j].host
	})
	return out
}

type enableOp struct {
	a activation
	f string
}

// visit reads one activated package: what it asks of third-party crates,
// and which features of local packages it turns on.
func (rs *resolver) visit(a activation) ([]request, []enableOp) {
	lp := rs.locals[a.pkg]
	if lp == nil {
		return nil, nil
	}
	on, depFeats := lp.expand(rs.enabled[a])
	var reqs []request
	var ops []enableOp
	for _, dt := range workspace.DependencyTables(lp.raw) {
		if dt.Dev {
			continue
		}
		build := strings.Contains(dt.Keys[len(dt.Keys)-1], "build")
		cfg := ""
		if dt.Keys[0] == "target" {
			cfg = dt.Keys[1]
		}
		for _, key := range workspace.SortedKeys(dt.Table) {
			spec := rs.parseDep(lp, key, dt.Table[key])
			if spec.optional && !on["dep:"+key] && !on[key] {
				continue
			}
			feats := append(append([]string(nil), spec.features...), depFeats[key]...)
			host := a.host || build || lp.procMacro
			if dep := rs.byDir[spec.path]; spec.path != "" && dep != nil {
				to := activation{dep.name, host}
				ops = append(ops, enableOp{to, ""})
				if !spec.noDefault {
					ops = append(ops, enableOp{to, "default"})
				}
				for _, f := range feats {
					ops = append(ops, enableOp{to, f})
				}
				continue
			}
			reqs = append(reqs, request{from: lp.name, host: host, cfg: cfg, spec: spec, features: feats})
		}
	}
	return reqs, ops
}

// expand follows the package's [features] table from the enabled set: the
// features it turns on (with "dep:x" for optional dependencies) and the
// features it asks of each dependency key ("x/f", "x?/f").
func (lp *localPkg) expand(enabled map[string]bool) (map[string]bool, map[string][]string) {
	on := map[string]bool{}
	depFeats := map[string][]string{}
	queue := sortedSet(enabled)
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		if on[f] {
			continue
		}
		on[f] = true
		values, declared := lp.features[f]
		if !declared && f != "default" {
			on["dep:"+f] = true // an optional dependency's implicit feature
		}
		for _, v := range values {
			switch dep, feat, ok := strings.Cut(v, "/"); {
			case strings.HasPrefix(v, "dep:"):
				on[v] = true
			case ok && strings.HasSuffix(dep, "?"):
				dep = strings.TrimSuffix(dep, "?")
				depFeats[dep] = append(depFeats[dep], feat)
			case ok:
				on["dep:"+dep] = true
				depFeats[dep] = append(depFeats[dep], feat)
			default:
				queue = append(queue, v)
			}
		}
	}
	return on, depFeats
}

// parseDep reads one dependency declaration of lp, inheriting from
// [workspace.dependencies] where it says workspace = true.
func (rs *resolver) parseDep(lp *localPkg, key string, v any) depSpec {
	spec := depSpec{key: key, pkg: key}
	t, isTable := v.(map[string]any)
	if !isTable {
		spec.version, _ = v.(string)
		return spec
	}
	if t["workspace"] == true {
		spec = rs.parseDep(&localPkg{dir: rs.rootDir}, key, rs.wsDeps[key])
		spec.key = key
	}
	if s, ok := t["package"].(string); ok {
		spec.pkg = s
	}
	if s, ok := t["version"].(string); ok {
		spec.version = s
	}
	if p, ok := t["path"].(string); ok {
		spec.path = path.Clean(path.Join(lp.dir, p))
	}
	for _, k := range []string{"git", "branch", "tag", "rev", "registry", "registry-index"} {
		if s, ok := t[k]; ok {
			if spec.source == nil {
				spec.source = map[string]any{}
			}
			spec.source[k] = s
		}
	}
	spec.features = append(spec.features, workspace.Strings(t, "features")...)
	for _, k := range []string{"default-features", "default_features"} {
		if b, ok := t[k].(bool); ok {
			spec.noDefault = !b
		}
	}
	spec.optional = t["optional"] == true
	return spec
}

func sortedSet(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
