package pkgdb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// MD5Sums returns the lines of p's md5sums file (dpkg's
// info/<package>.md5sums) that name one of p.Files, by its path in the
// image, for distroless's
// status.d/<package>.md5sums: with it a scanner knows which of the image's
// files the package installed. nil when the package has none.
func (db *DB) MD5Sums(p Package) ([]byte, error) {
	data, err := os.ReadFile(db.infoPath(qualified(p.Name, p.Arch) + ".md5sums"))
	if errors.Is(err, fs.ErrNotExist) {
		data, err = os.ReadFile(db.infoPath(p.Name + ".md5sums"))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the dpkg database: %w", err)
	}
	// A line names the file as the package installed it (lib/...), the
	// image may hold it at another alias (/usr/lib/...): the line gets the
	// image's path, where a scanner finds those bytes.
	image := map[string]string{}
	for _, f := range p.Files {
		c := db.canonical(f)
		if _, ok := image[c]; !ok || f == c {
			image[c] = f
		}
	}
	var out []byte
	for _, line := range strings.SplitAfter(string(data), "\n") {
		sum, rel, ok := strings.Cut(line, "  ")
		if f, shipped := image[db.canonical("/"+strings.TrimSpace(rel))]; ok && shipped {
			out = append(out, sum+"  "+strings.TrimPrefix(f, "/")+"\n"...)
		}
	}
	return out, nil
}
