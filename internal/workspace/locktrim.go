package workspace

import (
	"fmt"
	"regexp"
	"strings"
)

// lockDepRef is one string of a [[package]] entry's dependencies array.
var lockDepRef = regexp.MustCompile(`^(\s*")([^"]+)(",?\s*)$`)

// TrimLockfile keeps, of Cargo.lock, the local packages (no source) named
// in roots and every entry they reach through dependencies arrays, and
// spells each remaining reference the way cargo would for the smaller set
// ("name" when only one version is left, "name version" or "name version
// (source)" otherwise), so that `cargo build --locked` accepts the result
// for a workspace of those packages. Every other byte is kept.
func TrimLockfile(name string, data []byte, roots map[string]bool) ([]byte, error) {
	lf, err := ParseLockfile(name, data)
	if err != nil {
		return nil, err
	}
	keep := make([]bool, len(lf.Packages))
	var queue []int
	for i, p := range lf.Packages {
		if p.Source == "" && roots[p.Name] {
			keep[i], queue = true, append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, ref := range lf.Packages[i].Dependencies {
			j := lockRef(lf.Packages, ref)
			if j < 0 {
				return nil, fmt.Errorf("%s: %s depends on %q, which has no entry; regenerate it with `cargo generate-lockfile`", name, lf.Packages[i].Name, ref)
			}
			if !keep[j] {
				keep[j], queue = true, append(queue, j)
			}
		}
	}
	return filterLockfile(name, data, lf, keep, "")
}

// LockfileOf keeps the entries of Cargo.lock that keep accepts, spelling
// references as TrimLockfile does, and appends an entry for root, whose
// dependencies are spelled from the kept entries. It is the lockfile of a
// package standing in for a workspace: cargo takes its versions.
func LockfileOf(name string, data []byte, keep func(LockedPackage) bool, root LockedPackage) ([]byte, error) {
	lf, err := ParseLockfile(name, data)
	if err != nil {
		return nil, err
	}
	kept := make([]bool, len(lf.Packages))
	for i, p := range lf.Packages {
		kept[i] = keep(p)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n[[package]]\nname = %q\nversion = %q\n", root.Name, root.Version)
	if len(root.Dependencies) > 0 {
		b.WriteString("dependencies = [\n")
		for _, d := range root.Dependencies {
			fmt.Fprintf(&b, " %q,\n", d)
		}
		b.WriteString("]\n")
	}
	return filterLockfile(name, data, lf, kept, b.String())
}

// filterLockfile writes the lines of the kept [[package]] blocks (and every
// line outside them), then extra.
func filterLockfile(name string, data []byte, lf *Lockfile, keep []bool, extra string) ([]byte, error) {
	lines := strings.SplitAfter(string(data), "\n")
	blocks := lockBlocks(lines)
	if len(blocks) != len(lf.Packages) {
		return nil, fmt.Errorf("%s: %d [[package]] entries read as %d; regenerate it with `cargo generate-lockfile`", name, len(blocks), len(lf.Packages))
	}
	var kept []LockedPackage
	for i, p := range lf.Packages {
		if keep[i] {
			kept = append(kept, p)
		}
	}
	var b strings.Builder
	next := 0
	for i, blk := range blocks {
		for ; next < blk.start; next++ {
			b.WriteString(lines[next])
		}
		for ; next < blk.end; next++ {
			if keep[i] {
				b.WriteString(respell(lines[next], lf.Packages, kept))
			}
		}
	}
	for ; next < len(lines); next++ {
		b.WriteString(lines[next])
	}
	b.WriteString(extra)
	return []byte(b.String()), nil
}

// Find returns the entry a dependency reference names ("name", "name
// version" or "name version (source)").
func (lf *Lockfile) Find(ref string) (LockedPackage, bool) {
	i := lockRef(lf.Packages, ref)
	if i < 0 {
		return LockedPackage{}, false
	}
	return lf.Packages[i], true
}

// respell rewrites a dependency reference line for the kept entries.
func respell(line string, all, kept []LockedPackage) string {
	m := lockDepRef.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
	if m == nil || strings.Contains(m[2], "=") {
		return line
	}
	i := lockRef(all, m[2])
	if i < 0 {
		return line
	}
	return m[1] + LockSpelling(kept, all[i]) + m[3] + lineEnd(line)
}

// LockSpelling is how Cargo.lock names p in a dependencies array when the
// lockfile holds the entries in set: as little as tells it apart.
func LockSpelling(set []LockedPackage, p LockedPackage) string {
	sameName, sameVersion := 0, 0
	for _, q := range set {
		if q.Name == p.Name {
			sameName++
			if q.Version == p.Version {
				sameVersion++
			}
		}
	}
	switch {
	case sameName <= 1:
		return p.Name
	case sameVersion <= 1:
		return p.Name + " " + p.Version
	}
	return p.Name + " " + p.Version + " (" + p.Source + ")"
}

// lockRef finds the entry a dependency reference names: "name", "name
// version" or "name version (source)"; -1 when none or several match.
func lockRef(pkgs []LockedPackage, ref string) int {
	name, rest, _ := strings.Cut(ref, " ")
	version, source, _ := strings.Cut(rest, " ")
	source = strings.TrimSuffix(strings.TrimPrefix(source, "("), ")")
	found := -1
	for i, p := range pkgs {
		if p.Name != name || (version != "" && p.Version != version) || (source != "" && p.Source != source) {
			continue
		}
		if found >= 0 {
			return -1
		}
		found = i
	}
	return found
}
