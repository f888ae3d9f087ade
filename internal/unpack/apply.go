package unpack

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// extractor applies tar entries beneath root through an os.Root, which
// refuses any name that would leave it; on top of that it follows no link
// at all: it checks every parent with Lstat and creates files with
// O_EXCL, so an entry's name never reaches through a link an earlier entry
// made.
type extractor struct {
	ctx     context.Context
	root    *os.Root
	want    func(name string, typ byte) bool
	limit   int64
	written int64
	// current holds the names the layer being read made, parents
	// included: whiteouts apply to lower layers only.
	current map[string]bool
	buf     []byte
}

// rel is the os.Root name of the absolute, clean in-root name.
func rel(name string) string {
	if name == "/" {
		return "."
	}
	return name[1:]
}

func (x *extractor) file(name string, h *tar.Header, r io.Reader) error {
	typ := h.Typeflag // tar.Reader gives TypeReg for the old TypeRegA
	offer := typ
	if typ == tar.TypeLink {
		offer = tar.TypeReg
	}
	wanted := x.want == nil || x.want(name, offer)
	blocked, _, err := x.parents(name)
	if err != nil {
		return err
	}
	if blocked != "" {
		if wanted {
			return fmt.Errorf("%s lies under %s, which is not a directory (a symbolic link?): berth follows no link while extracting; the image is malformed or hostile", name, blocked)
		}
		return nil
	}
	if err := x.replace(name, typ); err != nil || !wanted {
		return err
	}
	if err := x.mkdirs(path.Dir(name)); err != nil {
		return err
	}
	x.current[name] = true
	if err := x.count(512); err != nil {
		return err
	}
	switch typ {
	case tar.TypeDir:
		return x.dir(name, h)
	case tar.TypeReg:
		return x.regular(name, h, r)
	case tar.TypeSymlink:
		return x.root.Symlink(h.Linkname, rel(name))
	case tar.TypeLink:
		return x.hardlink(name, h.Linkname)
	}
	return nil // devices and fifos are never needed
}

// parents reports the first directory above name that exists but is not
// a real directory (a link, a file), and whether all of them exist.
func (x *extractor) parents(name string) (blocked string, complete bool, err error) {
	parts := strings.Split(strings.Trim(path.Dir(name), "/"), "/")
	cur := "/"
	for _, p := range parts {
		if p == "" {
			continue
		}
		cur = path.Join(cur, p)
		fi, err := x.root.Lstat(rel(cur))
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		if !fi.IsDir() {
			return cur, false, nil
		}
	}
	return "", true, nil
}

// replace removes what lower layers (or earlier entries) left at name,
// unless a directory meets a directory: those merge.
func (x *extractor) replace(name string, typ byte) error {
	fi, err := x.root.Lstat(rel(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() && typ == tar.TypeDir {
		return nil
	}
	return x.root.RemoveAll(rel(name))
}

// mkdirs makes the missing directories down to dir (parents checked).
func (x *extractor) mkdirs(dir string) error {
	cur := "/"
	for _, p := range strings.Split(strings.Trim(dir, "/"), "/") {
		if p == "" {
			continue
		}
		cur = path.Join(cur, p)
		x.current[cur] = true
		err := x.root.Mkdir(rel(cur), 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := x.count(512); err != nil {
			return err
		}
	}
	return nil
}

func (x *extractor) dir(name string, h *tar.Header) error {
	mode := fs.FileMode(h.Mode)&0o777 | 0o700
	if err := x.root.Mkdir(rel(name), mode); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return x.root.Chmod(rel(name), mode)
}

// regular writes a file; its mode is kept (the loader is 0755), made
// readable and writable by its owner so the cache can check and remove it.
func (x *extractor) regular(name string, h *tar.Header, r io.Reader) error {
	f, err := x.root.OpenFile(rel(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := x.copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := f.Chmod(fs.FileMode(h.Mode)&0o777 | 0o600); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// copy checks the context every chunk, so that an interrupt stops a large
// file within a fraction of a second.
func (x *extractor) copy(w io.Writer, r io.Reader) error {
	if x.buf == nil {
		x.buf = make([]byte, 1<<20)
	}
	for {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		n, rerr := r.Read(x.buf)
		if n > 0 {
			if err := x.count(int64(n)); err != nil {
				return err
			}
			if _, err := w.Write(x.buf[:n]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

func (x *extractor) hardlink(name, linkname string) error {
	target := path.Clean("/" + linkname)
	blocked, complete, err := x.parents(target)
	if err != nil {
		return err
	}
	fi, statErr := x.root.Lstat(rel(target))
	if blocked != "" || !complete || statErr != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is a hard link to %s, which was not extracted as a regular file before it: the image is malformed, or the link's target is not among the files berth takes", name, target)
	}
	return x.root.Link(rel(target), rel(name))
}

func (x *extractor) count(n int64) error {
	if x.written += n; x.written > x.limit {
		return fmt.Errorf("%w: the chosen files pass %d MiB, berth's bound on what it extracts from one image", ErrLimit, x.limit>>20)
	}
	return nil
}

// whiteout removes name as lower layers left it.
func (x *extractor) whiteout(name string) error {
	if x.current[name] {
		return nil
	}
	if blocked, complete, err := x.parents(name); err != nil || blocked != "" || !complete {
		return err
	}
	err := x.root.RemoveAll(rel(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// opaque hides what lower layers put in dir, keeping the current layer's.
func (x *extractor) opaque(dir string) error {
	if blocked, complete, err := x.parents(dir); err != nil || blocked != "" || !complete {
		return err
	}
	if fi, err := x.root.Lstat(rel(dir)); err != nil || !fi.IsDir() {
		return nil
	}
	return x.clearLower(dir)
}

func (x *extractor) clearLower(dir string) error {
	f, err := x.root.Open(rel(dir))
	if err != nil {
		return err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return err
	}
	for _, n := range names {
		p := path.Join(dir, n)
		if !x.current[p] {
			if err := x.root.RemoveAll(rel(p)); err != nil {
				return err
			}
			continue
		}
		if fi, err := x.root.Lstat(rel(p)); err == nil && fi.IsDir() {
			if err := x.clearLower(p); err != nil {
				return err
			}
		}
	}
	return nil
}
