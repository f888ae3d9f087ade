package pipeline

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/rootfs"
	"github.com/berth-dev/berth/internal/unpack"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// checkOnBase checks binary and user against the base image they will run
// on, not the build machine: a user name the base's /etc/passwd lacks stops
// the container at its start, and so does a symbol version its libraries
// do not define (GLIBC_2.39 on a base with glibc 2.36). A library the base
// lacks is a warning only, since --include files or the base's
// LD_LIBRARY_PATH may provide it.
func checkOnBase(ctx context.Context, base v1.Image, binary, ref, user string) ([]string, error) {
	c, err := elf.Check(binary)
	dynamic := err == nil && !c.Static
	if !dynamic && !namesUser(user) {
		return nil, nil
	}
	root, release, err := unpack.Private(ctx, base, unpack.Options{Want: func(name string, typ byte) bool {
		return wantedForLoader(name, typ) || ((name == "/etc/passwd" || name == "/etc/group") && typ == tar.TypeReg)
	}})
	if err != nil {
		return nil, fmt.Errorf("reading the libraries and users of base image %s: %w", ref, err)
	}
	defer release()
	if err := rootfs.CheckUser(user, readOrNil(root, "etc/passwd"), readOrNil(root, "etc/group"), "base image "+ref); err != nil {
		return nil, &InputError{err}
	}
	if !dynamic {
		return nil, nil
	}
	return checkLibrariesOn(binary, root, ref)
}

// namesUser reports whether user (USER[:GROUP]) has a name, which only the
// image's files can resolve; numbers always work.
func namesUser(user string) bool {
	return strings.Trim(strings.ReplaceAll(user, ":", ""), "0123456789") != ""
}

// readOrNil is the file at rel under root (extracted as a regular file,
// never a link), nil when the image has none.
func readOrNil(root, rel string) []byte {
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil
	}
	return data
}

// checkLibrariesOn resolves binary's closure in root, the base's files.
func checkLibrariesOn(binary, root, ref string) ([]string, error) {
	_, err := elf.Resolve(binary, elf.Options{Root: root})
	if err == nil {
		return nil, nil
	}
	var versions, other []string
	for _, e := range unjoin(err) {
		var ve *elf.VersionError
		if errors.As(e, &ve) {
			versions = append(versions, strings.ReplaceAll(e.Error(), root, ""))
		} else {
			other = append(other, strings.ReplaceAll(e.Error(), root, ""))
		}
	}
	if len(versions) > 0 {
		return nil, fmt.Errorf("%s cannot run on base image %s:\n%s", binary, ref, strings.Join(versions, "\n"))
	}
	var warnings []string
	for _, o := range other {
		warnings = append(warnings, fmt.Sprintf("on base image %s: %s", ref, o))
	}
	return warnings, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// wantedForRuntime is wantedForLoader plus the CA bundle and the runtime
// extras (the zone database, tini): what an image of the binary takes from
// a --runtime-from image.
func wantedForRuntime(name string, typ byte) bool {
	switch {
	case wantedForLoader(name, typ):
		return true
	case name == zoneExtra.Path || strings.HasPrefix(name, zoneExtra.Path+"/"):
		return true
	case slices.Contains(rootfs.CABundlePaths, name) || name == initExtra.Path:
		return typ != tar.TypeDir
	}
	return false
}

// wantedForLoader is what ld.so looks at: shared objects and the symlinks
// to them, directories that may be symlinks (merged /usr), and ld.so.conf.
func wantedForLoader(name string, typ byte) bool {
	if name == "/etc/ld.so.conf" || strings.HasPrefix(name, "/etc/ld.so.conf.d/") {
		return typ == tar.TypeReg || typ == tar.TypeSymlink
	}
	base := path.Base(name)
	switch typ {
	case tar.TypeReg:
		return strings.Contains(base, ".so")
	case tar.TypeSymlink:
		return strings.Contains(base, ".so") || strings.Count(name, "/") == 1
	}
	return false
}
