package pipeline

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/rootfs"
	"github.com/berth-dev/berth/internal/unpack"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// checkOnBase resolves binary against the libraries of the base image it
// will run on, not the build machine's: a symbol version the base's
// libraries do not define (GLIBC_2.39 on a base with glibc 2.36) is an
// error, as the program would not start. A library the base lacks is a
// warning only, since --include files or the base's LD_LIBRARY_PATH may
// provide it.
func checkOnBase(ctx context.Context, base v1.Image, binary, ref string) ([]string, error) {
	if c, err := elf.Check(binary); err != nil || c.Static {
		return nil, nil
	}
	root, release, err := unpack.Private(ctx, base, unpack.Options{Want: wantedForLoader})
	if err != nil {
		return nil, fmt.Errorf("reading the libraries of base image %s: %w", ref, err)
	}
	defer release()
	_, err = elf.Resolve(binary, elf.Options{Root: root})
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
