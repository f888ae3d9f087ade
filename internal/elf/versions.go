package elf

import (
	"debug/elf"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// versionNeed is one entry of .gnu.version_r: a symbol version (GLIBC_2.34)
// an object needs from a library (libc.so.6).
type versionNeed struct {
	file    string
	version string
	weak    bool
}

// readVersions fills o's needed versions (.gnu.version_r) and the versions o
// defines (.gnu.version_d). Objects without a version table have none.
func readVersions(f *elf.File, o *object) error {
	if f.SectionByType(elf.SHT_GNU_VERSYM) == nil {
		return nil
	}
	needs, err := f.DynamicVersionNeeds()
	if err != nil {
		return fmt.Errorf(".gnu.version_r: %w", err)
	}
	for _, n := range needs {
		for _, d := range n.Needs {
			o.needs = append(o.needs, versionNeed{file: n.Name, version: d.Dep, weak: d.Flags&elf.VER_FLG_WEAK != 0})
		}
	}
	defs, err := f.DynamicVersions()
	if err != nil {
		return fmt.Errorf(".gnu.version_d: %w", err)
	}
	for _, d := range defs {
		if d.Flags&elf.VER_FLG_BASE == 0 {
			o.defines = append(o.defines, d.Name)
		}
	}
	return nil
}

// VersionError is a symbol version an object needs that the library found
// for it does not define: ld.so would stop the program at start with
// "version `GLIBC_2.39' not found".
type VersionError struct {
	Object  string // the object that needs the version
	Library string // DT_NEEDED name of the library (libc.so.6)
	Path    string // where the library was found
	Version string // the version needed (GLIBC_2.39)
	Highest string // the highest version of the same family the library defines, "" if none
}

func (e *VersionError) Error() string {
	have := "no version of that family"
	if e.Highest != "" {
		have = "versions up to " + e.Highest
	}
	return fmt.Sprintf("%s needs symbol version %s from %s, but the %s it would run with (%s) defines %s: "+
		"the program would fail at start with \"version `%s' not found\"; build it against the runtime's "+
		"libraries (an older toolchain or a matching --sysroot), or use a runtime with a newer %s",
		e.Object, e.Version, e.Library, e.Library, e.Path, have, e.Version, e.Library)
}

// checkVersions compares every loaded object's version needs with the
// definitions of the library the resolver picked for each, as ld.so does
// before running anything. Weak needs only warn in ld.so, so they are skipped;
// so are libraries without version definitions.
func (r *resolver) checkVersions(main *node) error {
	nodes := []*node{main}
	for _, n := range r.byPath {
		nodes = append(nodes, n)
	}
	var errs []error
	seen := map[string]bool{}
	for _, n := range nodes {
		for _, need := range n.obj.needs {
			lib := r.byName[need.file]
			if need.weak || lib == nil || len(lib.obj.defines) == 0 || defines(lib.obj, need.version) {
				continue
			}
			e := &VersionError{Object: n.name, Library: need.file, Path: lib.path, Version: need.version,
				Highest: highestOf(lib.obj.defines, need.version)}
			if key := e.Error(); !seen[key] {
				seen[key] = true
				errs = append(errs, e)
			}
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}

func defines(o *object, version string) bool {
	for _, d := range o.defines {
		if d == version {
			return true
		}
	}
	return false
}

// highestOf is the highest of defs in want's family (GLIBC_, GLIBCXX_, GCC_).
func highestOf(defs []string, want string) string {
	family, _ := splitVersion(want)
	best := ""
	var bestNum []int
	for _, d := range defs {
		f, num := splitVersion(d)
		if f != family || num == nil {
			continue
		}
		if best == "" || compareNums(num, bestNum) > 0 {
			best, bestNum = d, num
		}
	}
	return best
}

// splitVersion splits GLIBC_2.34 into "GLIBC" and [2 34]; num is nil when the
// part after the last underscore is not dotted numbers (GLIBC_PRIVATE).
func splitVersion(v string) (family string, num []int) {
	i := strings.LastIndexByte(v, '_')
	if i < 0 {
		return v, nil
	}
	for _, p := range strings.Split(v[i+1:], ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return v[:i], nil
		}
		num = append(num, n)
	}
	return v[:i], num
}

func compareNums(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return len(a) - len(b)
}
