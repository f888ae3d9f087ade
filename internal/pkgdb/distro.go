package pkgdb

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/internal/filehash"
)

// OSReleasePaths are where os-release(5) may be, in the order it says.
var OSReleasePaths = []string{"/etc/os-release", "/usr/lib/os-release"}

// ReadDistro reads the os-release file of root; nil when it has none.
func ReadDistro(root string) (*Distro, error) {
	for _, p := range OSReleasePaths {
		data, err := readIn(root, p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", hostPath(root, p), err)
		}
		d := &Distro{OSRelease: data, Path: p}
		for _, line := range strings.Split(string(data), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
			if !ok || strings.HasPrefix(k, "#") {
				continue
			}
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			} else {
				v = strings.Trim(v, `"'`)
			}
			switch k {
			case "ID":
				d.ID = v
			case "VERSION_ID":
				d.VersionID = v
			case "VERSION_CODENAME":
				d.VersionCodename = v
			case "PRETTY_NAME":
				d.PrettyName = v
			}
		}
		return d, nil
	}
	return nil, nil
}

// Hash describes the shipped file imagePath, whose bytes are the host file
// source, for a list of files no package owns.
func Hash(imagePath, source string) (File, error) {
	sum, _, err := filehash.File(source)
	if err != nil {
		return File{}, err
	}
	return File{Path: imagePath, SHA256: sum}, nil
}
