package workspace

import (
	"os"
	"path/filepath"
	"strings"
)

// fileView is the disk as target discovery sees it: the real files plus
// files assumed to exist. A Dockerfile planner that copies the manifests
// alone names the target files it leaves out, so that discovery finds the
// same targets as in the whole project (their contents never matter to it).
type fileView struct {
	assumed map[string]bool // absolute, clean paths
}

func newFileView(assume []string) (*fileView, error) {
	v := &fileView{assumed: map[string]bool{}}
	for _, a := range assume {
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, err
		}
		v.assumed[abs] = true
	}
	return v, nil
}

func (v *fileView) exists(path string) bool {
	return v.assumed[filepath.Clean(path)] || exists(path)
}

// dirEntry is one name in a directory.
type dirEntry struct {
	name string
	dir  bool // a real directory (not a symlink to one), or an assumed path's parent
}

// readDir lists dir's real entries, then the assumed entries under it;
// a missing directory lists no real entries.
func (v *fileView) readDir(dir string) []dirEntry {
	entries, _ := os.ReadDir(dir)
	seen := map[string]bool{}
	out := make([]dirEntry, 0, len(entries))
	for _, e := range entries {
		seen[e.Name()] = true
		out = append(out, dirEntry{name: e.Name(), dir: e.IsDir()})
	}
	for a := range v.assumed {
		rel, err := filepath.Rel(dir, a)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		first, _, nested := strings.Cut(rel, string(filepath.Separator))
		if !seen[first] {
			seen[first] = true
			out = append(out, dirEntry{name: first, dir: nested})
		}
	}
	return out
}
