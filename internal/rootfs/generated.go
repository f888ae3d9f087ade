package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/fileset"
)

// caBundleDest is where every image berth makes keeps its CA bundle.
const caBundleDest = "/etc/ssl/certs/ca-certificates.crt"

// systemFiles are the files Runtime writes with System set, but the CA
// bundle, which comes from the root. They are also what Planned lists, so
// that the checks before a build and the build itself share one list.
func systemFiles() []fileset.File {
	return []fileset.File{
		{Path: "/etc/passwd", Mode: 0o644, Data: []byte(passwd)},
		{Path: "/etc/group", Mode: 0o644, Data: []byte(group)},
		{Path: "/etc/nsswitch.conf", Mode: 0o644, Data: []byte(nsswitch)},
		{Path: "/tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777},
		{Path: "/home/nonroot", Mode: fs.ModeDir | 0o700, UID: NonrootID, GID: NonrootID},
	}
}

// Made is a path of the image that berth makes itself.
type Made struct {
	Path string
	Dir  bool
	What string // for messages: "where the binary goes"
}

// Planned lists the paths berth makes in an image, as far as they are known
// before the binary is built: the binary at binary (its path in the image)
// and, when system (the auto base), the system files and the CA bundle. The
// libraries and loader are known only after the closure; fileset.Set.Add
// refuses a clash with them, parent directories included.
func Planned(system bool, binary string) []Made {
	var out []Made
	if binary != "" {
		out = append(out, Made{Path: path.Clean(binary), What: "where the binary goes"})
	}
	if system {
		for _, f := range systemFiles() {
			what := "a file berth generates"
			if f.IsDir() {
				what = "a directory berth generates"
			}
			out = append(out, Made{Path: f.Path, Dir: f.IsDir(), What: what})
		}
		out = append(out, Made{Path: caBundleDest, What: "where berth puts the CA bundle"})
	}
	return out
}

// CheckIncludes checks, before anything is built, that no include (SRC:DEST,
// SRC on this machine) lands on a path of made: not on one, not under a
// file of made, and not on a parent directory of one unless SRC is a
// directory without an entry at that path. Such an include would give the
// layer two entries for a path, or a file where a directory must be, which
// `docker load` and runtimes refuse.
func CheckIncludes(includes []string, made []Made) error {
	for _, inc := range includes {
		src, dest, ok := strings.Cut(inc, ":")
		if !ok || src == "" || !path.IsAbs(dest) {
			return fmt.Errorf("include %q: want HOST_PATH:/ABSOLUTE/IMAGE/PATH", inc)
		}
		dest = path.Clean(dest)
		for _, m := range made {
			if err := clash(src, dest, m); err != nil {
				return fmt.Errorf("include %q %w: give it another destination", inc, err)
			}
		}
	}
	return nil
}

// clash says how an include of src at dest collides with m, nil if not.
func clash(src, dest string, m Made) error {
	switch {
	case dest == m.Path:
		return fmt.Errorf("lands on %s, %s", m.Path, m.What)
	case under(dest, m.Path) && !m.Dir:
		return fmt.Errorf("lands under %s, which is not a directory (%s)", m.Path, m.What)
	case dest == "/" || under(m.Path, dest):
		rel := strings.TrimPrefix(strings.TrimPrefix(m.Path, dest), "/")
		info, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("cannot be checked against %s: %w", m.Path, err)
		}
		if !info.IsDir() {
			return fmt.Errorf("puts a file at %s, a directory of the image that holds %s (%s)", dest, m.Path, m.What)
		}
		if _, err := os.Lstat(filepath.Join(src, filepath.FromSlash(rel))); err == nil {
			return fmt.Errorf("brings %s, %s", m.Path, m.What)
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrInvalid) {
			return fmt.Errorf("cannot be checked against %s: %w", m.Path, err)
		}
	}
	return nil
}

// under reports whether p is strictly inside directory dir.
func under(p, dir string) bool {
	return dir == "/" && p != "/" || strings.HasPrefix(p, dir+"/")
}
