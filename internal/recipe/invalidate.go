package recipe

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/berth-dev/berth/internal/targetseed"
)

// Invalidate removes, in every profile directory under targetDir (the host
// ones like debug/ and release/, and <triple>/<profile> for each --target),
// every unit whose package or crate name is in names: fingerprints,
// artifacts in deps/ and examples/, uplifted binaries and libraries, build
// script outputs and incremental caches. Without a fingerprint cargo must
// rebuild the unit; mtimes and versions play no part. It returns the removed
// paths relative to targetDir, sorted.
func Invalidate(targetDir string, names []string) ([]string, error) {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
		set[strings.ReplaceAll(n, "-", "_")] = true
	}
	var removed []string
	for _, dir := range targetseed.ProfileDirs(targetDir) {
		out, err := invalidateProfile(dir, set)
		if err != nil {
			return nil, err
		}
		for _, p := range out {
			rel, _ := filepath.Rel(targetDir, p)
			removed = append(removed, filepath.ToSlash(rel))
		}
	}
	sort.Strings(removed)
	return removed, nil
}

func invalidateProfile(dir string, names map[string]bool) ([]string, error) {
	incremental := map[string]bool{"build_script_build": true}
	for n := range names {
		incremental[n] = true
	}
	subdirs := []struct {
		sub      string
		names    map[string]bool
		hashless bool
	}{
		{".fingerprint", names, false}, {"build", names, false}, {"deps", names, false},
		{"incremental", incremental, false}, {"examples", names, true}, {".", names, true},
	}
	var removed []string
	for _, s := range subdirs {
		d := filepath.Join(dir, s.sub)
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if s.sub == "." && e.IsDir() {
				continue // build/, deps/ ... are handled above
			}
			if !unitMatch(e.Name(), s.names, s.hashless) {
				continue
			}
			p := filepath.Join(d, e.Name())
			if err := os.RemoveAll(p); err != nil {
				return nil, fmt.Errorf("invalidating local unit %s: %w", p, err)
			}
			removed = append(removed, p)
		}
	}
	return removed, nil
}

// unitMatch reports whether a file name belongs to one of names: an
// optional "lib" prefix, the name, then "-<hash>" and/or an extension.
// hashless also accepts the bare name (an uplifted artifact).
func unitMatch(file string, names map[string]bool, hashless bool) bool {
	candidates := []string{file}
	if strings.HasPrefix(file, "lib") {
		candidates = append(candidates, file[3:])
	}
	for _, c := range candidates {
		stem, _, _ := strings.Cut(c, ".")
		if hashless && names[stem] {
			return true
		}
		i := strings.LastIndexByte(stem, '-')
		if i > 0 && names[stem[:i]] && isHash(stem[i+1:]) {
			return true
		}
	}
	return false
}

func isHash(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}
