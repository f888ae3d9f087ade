package recipe

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/berth-dev/berth/internal/workspace"
)

// Explain returns, one line each, why recipe b differs from recipe a: which
// file, which manifest key or locked package, which target. No lines means
// the recipes are equal.
func Explain(a, b *Recipe) []string {
	var out []string
	if a.WorkspaceRoot != b.WorkspaceRoot {
		out = append(out, fmt.Sprintf("workspace root: %q → %q", a.WorkspaceRoot, b.WorkspaceRoot))
	}
	out = append(out, explainFiles(a.Files, b.Files)...)
	out = append(out, explainSet("package", packageKeys(a), packageKeys(b))...)
	out = append(out, explainSet("target", targetKeys(a), targetKeys(b))...)
	return out
}

// ExplainFile is Explain from the recipe at oldPath to the one Prepare
// makes now with opts.
func ExplainFile(oldPath string, opts PrepareOptions) ([]string, error) {
	return explainFile(oldPath, opts, false)
}

// Stale explains how the project (opts) no longer matches the recipe at
// path that cook used. A Cargo.lock the recipe lacks is no difference:
// without one, cargo writes it during the build.
func Stale(path string, opts PrepareOptions) ([]string, error) {
	return explainFile(path, opts, true)
}

func explainFile(oldPath string, opts PrepareOptions, newLockOK bool) ([]string, error) {
	old, err := ReadFile(oldPath)
	if err != nil {
		return nil, err
	}
	if old.Select != nil && opts.Select.isZero() {
		opts.Select = *old.Select // the same trim as the recipe's
	}
	cur, err := Prepare(opts)
	if err != nil {
		return nil, err
	}
	if old.Layer == LayerDependencies {
		if cur, err = Dependencies(cur); err != nil {
			return nil, err
		}
	}
	if newLockOK && !slices.ContainsFunc(old.Files, isLockfile) {
		cur.Files = slices.DeleteFunc(cur.Files, isLockfile)
	}
	lines := Explain(old, cur)
	if newLockOK || len(lines) == 0 {
		return lines, nil
	}
	return append(lines, ExplainLayers(old, cur)...), nil
}

// ExplainLayers says which cook layer the change from recipe a to b
// invalidates: the dependency layer (third-party crates, Dependencies),
// with what changed in its recipe, or only the workspace layer after it.
func ExplainLayers(a, b *Recipe) []string {
	da, errA := Dependencies(a)
	db, errB := Dependencies(b)
	if errA != nil || errB != nil {
		return []string{fmt.Sprintf("invalidates: cannot tell which layer (%v)", errors.Join(errA, errB))}
	}
	diff := Explain(da, db)
	if len(diff) == 0 {
		return []string{"invalidates: the workspace layer only; the dependency layer (third-party crates) is reused"}
	}
	out := []string{"invalidates: the dependency layer (its third-party crates compile again) and the workspace layer; in its recipe:"}
	for _, l := range diff {
		out = append(out, "  "+l)
	}
	return out
}

func isLockfile(f File) bool { return f.Kind == KindLockfile }

func explainFiles(a, b []File) []string {
	old, cur := map[string]File{}, map[string]File{}
	for _, f := range a {
		old[f.Path] = f
	}
	for _, f := range b {
		cur[f.Path] = f
	}
	var out []string
	for _, p := range unionKeys(old, cur) {
		fa, inA := old[p]
		fb, inB := cur[p]
		switch {
		case !inA:
			out = append(out, fmt.Sprintf("%s: added (%s)", p, fb.Kind))
		case !inB:
			out = append(out, fmt.Sprintf("%s: removed (%s)", p, fa.Kind))
		case fa.Contents == fb.Contents && fa.Base64 == fb.Base64:
		case fb.Kind == KindManifest:
			out = append(out, prefixed(p, diffTOML(p, fa, fb))...)
		case fb.Kind == KindLockfile:
			out = append(out, prefixed(p, diffLock(p, fa, fb))...)
		default:
			out = append(out, p+": contents changed")
		}
	}
	return out
}

func prefixed(p string, lines []string) []string {
	if len(lines) == 0 {
		return []string{p + ": contents changed (formatting only)"}
	}
	for i, l := range lines {
		lines[i] = p + ": " + l
	}
	return lines
}

// diffTOML lists the dotted keys whose values differ.
func diffTOML(name string, a, b File) []string {
	ra, errA := workspace.DecodeTOML(name, []byte(a.Contents))
	rb, errB := workspace.DecodeTOML(name, []byte(b.Contents))
	if errA != nil || errB != nil {
		return []string{"contents changed"}
	}
	fa, fb := map[string]string{}, map[string]string{}
	flatten("", ra, fa)
	flatten("", rb, fb)
	return diffMaps(fa, fb, "%s added (%s)", "%s removed (was %s)", "%s: %s → %s")
}

// diffMaps describes, key by sorted key, what changed from a to b with the
// formats: added and removed take the key and its value, changed the key and
// both values.
func diffMaps(a, b map[string]string, added, removed, changed string) []string {
	var out []string
	for _, k := range unionKeys(a, b) {
		va, inA := a[k]
		vb, inB := b[k]
		switch {
		case !inA:
			out = append(out, fmt.Sprintf(added, k, vb))
		case !inB:
			out = append(out, fmt.Sprintf(removed, k, va))
		case va != vb:
			out = append(out, fmt.Sprintf(changed, k, va, vb))
		}
	}
	return out
}

func flatten(prefix string, v any, out map[string]string) {
	if m, ok := v.(map[string]any); ok && (prefix == "" || len(m) > 0) {
		for k, e := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, e, out)
		}
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprint(v))
	}
	out[prefix] = string(b)
}

// diffLock lists locked packages added, removed or changed in version.
func diffLock(name string, a, b File) []string {
	la, errA := workspace.ParseLockfile(name, []byte(a.Contents))
	lb, errB := workspace.ParseLockfile(name, []byte(b.Contents))
	if errA != nil || errB != nil {
		return []string{"contents changed"}
	}
	index := func(l *workspace.Lockfile) map[string]string {
		m := map[string]string{}
		for _, p := range l.Packages {
			k := p.Name
			if p.Source != "" {
				k += " (" + p.Source + ")"
			}
			m[k] = strings.TrimPrefix(m[k]+", "+p.Version+depsNote(p), ", ")
		}
		return m
	}
	return diffMaps(index(la), index(lb), "package %s %s added", "package %s %s removed", "package %s: %s → %s")
}

func depsNote(p workspace.LockedPackage) string {
	if len(p.Dependencies) == 0 {
		return ""
	}
	return " [deps: " + strings.Join(p.Dependencies, ", ") + "]"
}

func packageKeys(r *Recipe) map[string]bool {
	m := map[string]bool{}
	for _, p := range r.Packages {
		k := p.Name + " at " + p.Manifest
		if p.Vendored {
			k += " (vendored)"
		}
		m[k] = true
	}
	return m
}

func targetKeys(r *Recipe) map[string]bool {
	m := map[string]bool{}
	for _, t := range r.Targets {
		m[fmt.Sprintf("%s %s %q of %s at %s", t.Kind, t.Stub, t.Name, t.Package, t.Path)] = true
	}
	return m
}

func explainSet(what string, a, b map[string]bool) []string {
	var out []string
	for _, k := range unionKeys(a, b) {
		switch {
		case !a[k]:
			out = append(out, fmt.Sprintf("%s added: %s", what, k))
		case !b[k]:
			out = append(out, fmt.Sprintf("%s removed: %s", what, k))
		}
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}
