package pipeline

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/rootfs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// checkOnBase resolves binary against the libraries of the base image it
// will run on, not the build machine's: a symbol version the base's
// libraries do not define (GLIBC_2.39 on a base with glibc 2.36) is an
// error, as the program would not start. A library the base lacks is a
// warning only, since --include files or the base's LD_LIBRARY_PATH may
// provide it.
func checkOnBase(base v1.Image, binary, ref string) ([]string, error) {
	if c, err := elf.Check(binary); err != nil || c.Static {
		return nil, nil
	}
	root, err := os.MkdirTemp("", "berth-base-libs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	if err := extractLibraries(base, root); err != nil {
		return nil, fmt.Errorf("reading the libraries of base image %s: %w", ref, err)
	}
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

// extractLibraries writes the base's shared objects (and the symlinks and
// directories leading to them) and its ld.so.conf files under root.
func extractLibraries(img v1.Image, root string) error {
	return extract(img, root, wantedForLoader)
}

// extractRuntime is extractLibraries plus the CA bundle: what an image of
// the binary takes from a --runtime-from image.
func extractRuntime(img v1.Image, root string) error {
	return extract(img, root, func(name string, typ byte) bool {
		return wantedForLoader(name, typ) || (slices.Contains(rootfs.CABundlePaths, name) && typ != tar.TypeDir)
	})
}

func extract(img v1.Image, root string, want func(name string, typ byte) bool) error {
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean("/" + h.Name)
		if !want(name, h.Typeflag) {
			continue
		}
		dst := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(dst, 0o755)
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, dst)
		case tar.TypeReg:
			err = writeFrom(dst, tr)
		}
		if err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
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

func writeFrom(dst string, r io.Reader) error {
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
