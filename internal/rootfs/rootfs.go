package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/chroot"
	"github.com/berth-dev/berth/internal/fileset"
)

// NonrootID is the uid and gid of the unprivileged user every image gets, the
// same as distroless's "nonroot".
const NonrootID = 65532

// CABundlePaths are where distributions keep the PEM bundle of trusted CAs,
// in the order they are tried.
var CABundlePaths = []string{
	"/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
	"/etc/ssl/ca-bundle.pem",             // openSUSE
	"/etc/ssl/cert.pem",                  // Alpine (alt)
}

// Options describes a runtime file set.
type Options struct {
	// Root is the sysroot host files are read from; "" means "/".
	Root string
	// Libraries are the absolute paths the dynamic loader will open (the
	// interpreter and every needed object). Each becomes the real file at its
	// resolved path plus a symlink per path the loader asks for.
	Libraries []string
	// Base files: CA bundle, passwd/group, /tmp, nsswitch.conf. Off for a
	// bare "scratch" image or when the files come from a base image.
	System bool
	// Includes are extra host files or directories, "SRC:DEST".
	Includes []string
	// Extras are files and trees of Root the binary needs but does not
	// name (the zone database, an init); a missing one is a MissingError.
	Extras []Extra
}

// Runtime returns the files every run of the binary needs besides the binary
// itself, and warnings for what could not be provided.
func Runtime(opts Options) (*fileset.Set, []string, error) {
	set := &fileset.Set{}
	var warnings []string
	for _, lib := range opts.Libraries {
		if err := addResolved(set, opts.Root, lib); err != nil {
			return nil, nil, err
		}
	}
	if opts.System {
		w, err := addSystem(set, opts.Root)
		if err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, w...)
	}
	for _, x := range opts.Extras {
		if err := addExtra(set, opts.Root, x); err != nil {
			return nil, nil, err
		}
	}
	for _, inc := range opts.Includes {
		if err := addInclude(set, inc); err != nil {
			return nil, nil, err
		}
	}
	return set, warnings, nil
}

// Binary returns the file set holding only the application binary at dest.
func Binary(host, dest string) (*fileset.Set, error) {
	set := &fileset.Set{}
	if err := set.Add(fileset.File{Path: dest, Source: host, Mode: 0o755}); err != nil {
		return nil, err
	}
	return set, nil
}

// addResolved adds the regular file behind p at its real in-image path, and
// p as an absolute symlink to it when p is reached through symlinks (merged
// /usr, soname links). Links resolve inside root (chroot.Walk): an absolute
// link in a runtime image names the image's file, never the build machine's.
func addResolved(set *fileset.Set, root, p string) error {
	real, host, mode, _, err := chroot.Regular(root, p)
	if err != nil {
		return fmt.Errorf("resolving library %s inside %s: %w", p, rootName(root), err)
	}
	if err := set.Add(fileset.File{Path: real, Source: host, Mode: normalPerm(mode)}); err != nil {
		return err
	}
	if real == p {
		return nil
	}
	return set.Add(fileset.File{Path: p, Mode: fs.ModeSymlink | 0o777, Link: real})
}

func rootName(root string) string {
	if root == "" {
		return "/"
	}
	return root
}

func addSystem(set *fileset.Set, root string) ([]string, error) {
	var warnings []string
	files := systemFiles()
	ca, err := findCABundle(root)
	if err != nil {
		return nil, err
	}
	if ca != "" {
		files = append(files, fileset.File{Path: caBundleDest, Mode: 0o644, Source: ca})
	} else {
		warnings = append(warnings, fmt.Sprintf("no CA bundle found (looked for %s): TLS clients in the image will not trust any server; install the ca-certificates package",
			strings.Join(CABundlePaths, ", ")))
	}
	for _, f := range files {
		if err := set.Add(f); err != nil {
			return nil, err
		}
	}
	return warnings, nil
}

// findCABundle is the host path of the first CA bundle inside root, its
// links resolved there; "" if there is none. A bundle whose links loop is
// an error, not a silent miss.
func findCABundle(root string) (string, error) {
	for _, p := range CABundlePaths {
		_, host, _, _, err := chroot.Regular(root, p)
		switch {
		case err == nil:
			return host, nil
		case errors.Is(err, chroot.ErrLoop):
			return "", fmt.Errorf("CA bundle %s inside %s: %w", p, rootName(root), err)
		}
	}
	return "", nil
}

// addInclude adds "SRC:DEST": a file, or a directory tree, from the host.
// A symbolic link at SRC is followed (its target is what is meant); inside
// a tree, a relative link to a path in the tree stays a link, and any other
// link is replaced by the file it points to, since the host path it names
// does not exist in the image.
func addInclude(set *fileset.Set, spec string) error {
	src, dest, ok := strings.Cut(spec, ":")
	if !ok || src == "" || !path.IsAbs(dest) {
		return fmt.Errorf("include %q: want HOST_PATH:/ABSOLUTE/IMAGE/PATH", spec)
	}
	dest = path.Clean(dest)
	real, err := filepath.EvalSymlinks(src)
	if err != nil {
		return fmt.Errorf("include %q: %w", spec, err)
	}
	return filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("include %q: %w", spec, err)
		}
		rel, err := filepath.Rel(real, p)
		if err != nil {
			return err
		}
		f := fileset.File{Path: path.Join(dest, filepath.ToSlash(rel))}
		if f.Mode, f.Source, f.Link, err = includeEntry(real, p, d); err != nil {
			return fmt.Errorf("include %q: %w", spec, err)
		}
		if f.Path == "/" {
			return nil
		}
		return set.Add(f)
	})
}

// includeEntry is the mode and content of p, an entry of the tree at root.
func includeEntry(root, p string, d fs.DirEntry) (fs.FileMode, string, string, error) {
	info, err := d.Info()
	if err != nil {
		return 0, "", "", err
	}
	switch {
	case d.IsDir():
		return fs.ModeDir | 0o755, "", "", nil
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return 0, "", "", err
		}
		if inTree(root, p, target) {
			return fs.ModeSymlink | 0o777, "", target, nil
		}
		resolved, err := os.Stat(p)
		if err != nil || !resolved.Mode().IsRegular() {
			return 0, "", "", fmt.Errorf("%s is a symbolic link to %s, outside the included tree, and not to a regular file: include what it points to instead", p, target)
		}
		return normalPerm(resolved.Mode()), p, "", nil
	case info.Mode().IsRegular():
		return normalPerm(info.Mode()), p, "", nil
	default:
		return 0, "", "", fmt.Errorf("%s is not a file, directory or symlink", p)
	}
}

// inTree reports whether the link at p, to target, is relative and names a
// path inside root, so that it resolves the same way in the image.
func inTree(root, p, target string) bool {
	if filepath.IsAbs(target) {
		return false
	}
	rel, err := filepath.Rel(root, filepath.Join(filepath.Dir(p), target))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// normalPerm keeps only whether a file is executable, so that a host's umask
// does not change the image.
func normalPerm(m fs.FileMode) fs.FileMode {
	if m.Perm()&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

const passwd = `root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
`

const group = `root:x:0:
nonroot:x:65532:
`

const nsswitch = `passwd:   files
group:    files
shadow:   files
hosts:    files dns
networks: files
protocols: files
services: files
`
