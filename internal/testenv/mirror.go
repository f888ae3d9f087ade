package testenv

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DebianMirror returns the Debian archive URI this machine's apt uses (for
// debootstrap), read at run time from /etc/apt/sources.list and
// /etc/apt/sources.list.d/*.{list,sources}. It skips t (fails when
// BERTH_E2E=1) if none is found.
func DebianMirror(t testing.TB) string {
	t.Helper()
	uri, err := debianMirror("/etc/apt")
	why := ""
	if err != nil {
		why = err.Error()
	}
	Require(t, "a Debian apt mirror", err == nil, why)
	return uri
}

func debianMirror(aptDir string) (string, error) {
	files := []string{filepath.Join(aptDir, "sources.list")}
	for _, pat := range []string{"*.sources", "*.list"} {
		m, _ := filepath.Glob(filepath.Join(aptDir, "sources.list.d", pat))
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if uri := mirrorFrom(string(data), strings.HasSuffix(f, ".sources")); uri != "" {
			return uri, nil
		}
	}
	return "", errors.New("no Debian archive (a URI whose path ends in /debian) in /etc/apt/sources.list{,.d}")
}

// mirrorFrom returns the first URI in an apt source file (one-line or
// deb822 format) that points at the main Debian archive.
func mirrorFrom(content string, deb822 bool) string {
	sc := bufio.NewScanner(strings.NewReader(content))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var uris []string
		if deb822 {
			k, v, ok := strings.Cut(line, ":")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "URIs") {
				continue
			}
			uris = strings.Fields(v)
		} else {
			f := strings.Fields(line)
			if len(f) < 3 || f[0] != "deb" {
				continue
			}
			f = f[1:]
			if strings.HasPrefix(f[0], "[") { // options: [arch=amd64 signed-by=...]
				for len(f) > 0 && !strings.HasSuffix(f[0], "]") {
					f = f[1:]
				}
				if len(f) > 0 {
					f = f[1:]
				}
			}
			if len(f) > 0 {
				uris = f[:1]
			}
		}
		for _, u := range uris {
			if strings.HasSuffix(strings.TrimRight(u, "/"), "/debian") {
				return u
			}
		}
	}
	return ""
}
