package targetseed

import (
	"os"
	"path/filepath"
	"sort"
)

// ProfileDirs finds cargo's profile directories under targetDir: those
// holding a .fingerprint directory, one level below it (release/, debug/)
// or two with --target (<triple>/release/).
func ProfileDirs(targetDir string) []string {
	var out []string
	level1, _ := os.ReadDir(targetDir)
	for _, e := range level1 {
		if !e.IsDir() {
			continue
		}
		d := filepath.Join(targetDir, e.Name())
		if isDir(filepath.Join(d, ".fingerprint")) {
			out = append(out, d)
			continue
		}
		level2, _ := os.ReadDir(d)
		for _, e2 := range level2 {
			d2 := filepath.Join(d, e2.Name())
			if e2.IsDir() && isDir(filepath.Join(d2, ".fingerprint")) {
				out = append(out, d2)
			}
		}
	}
	sort.Strings(out)
	return out
}

func isDir(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}
