package image

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/ctxio"
	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Layer returns a gzip-compressed OCI layer holding files in the given order.
// Every entry is owned by root (uid/gid 0, no names) and carries epoch as its
// only timestamp, so the same files and epoch always give the same digest,
// whatever the host's mtimes, owners or umask. Source files are read here,
// streamed through tar and gzip into an unlinked temporary file: memory does
// not grow with the files, and later changes on the host do not alter the
// returned layer.
func Layer(files []fileset.File, epoch time.Time) (v1.Layer, error) {
	return (*Cache)(nil).Layer(context.Background(), files, epoch, Gzip)
}

// writeTar streams the uncompressed tar of files to w. It stops with ctx's
// error between two chunks of a file once ctx is done.
func writeTar(ctx context.Context, w io.Writer, files []fileset.File, epoch time.Time) error {
	// Whole seconds only: sub-second mtimes would force PAX records.
	mtime := time.Unix(epoch.Unix(), 0)
	tw := tar.NewWriter(w)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeEntry(ctx, tw, f, mtime); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finishing layer tar: %w", err)
	}
	return nil
}

func writeEntry(ctx context.Context, tw *tar.Writer, f fileset.File, mtime time.Time) error {
	if !path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || f.Path == "/" {
		return fmt.Errorf("layer entry %q: path must be absolute, clean and not the root", f.Path)
	}
	hdr := &tar.Header{
		Name:    strings.TrimPrefix(f.Path, "/"),
		Mode:    tarMode(f.Mode),
		Uid:     f.UID,
		Gid:     f.GID,
		ModTime: mtime,
		Format:  tar.FormatPAX,
	}
	var body io.Reader = strings.NewReader("")
	switch {
	case f.IsDir():
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
	case f.IsSymlink():
		if f.Link == "" {
			return fmt.Errorf("layer entry %s: symlink has no target", f.Path)
		}
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = f.Link
	case f.Mode.Type() != 0:
		return fmt.Errorf("layer entry %s: unsupported file type %s (only regular files, directories and symlinks)", f.Path, f.Mode.Type())
	default:
		r, size, closeFn, err := content(f)
		if err != nil {
			return err
		}
		defer closeFn()
		hdr.Typeflag = tar.TypeReg
		hdr.Size = size
		body = ctxio.NewReader(ctx, r, countOf(ctx))
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("layer entry %s: writing tar header: %w", f.Path, err)
	}
	if n, err := io.CopyN(tw, body, hdr.Size); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == io.EOF {
			return fmt.Errorf("layer entry %s: host file %s shrank while being read (%d of %d bytes): rebuild once it is no longer being written", f.Path, f.Source, n, hdr.Size)
		}
		return fmt.Errorf("layer entry %s: writing content: %w", f.Path, err)
	}
	return nil
}

// content opens the bytes of a regular file, from the host or from memory,
// and returns them with their size and a function that closes the source.
func content(f fileset.File) (io.Reader, int64, func(), error) {
	if f.Source == "" {
		return bytes.NewReader(f.Data), int64(len(f.Data)), func() {}, nil
	}
	// Stat before opening: opening a FIFO would block.
	fi, err := os.Stat(f.Source)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("layer entry %s: reading host file: %w", f.Path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, nil, fmt.Errorf("layer entry %s: host file %s is not a regular file (%s)", f.Path, f.Source, fi.Mode().Type())
	}
	file, err := os.Open(f.Source)
	if err == nil {
		fi, err = file.Stat()
	}
	if err != nil {
		return nil, 0, nil, fmt.Errorf("layer entry %s: reading host file: %w", f.Path, err)
	}
	return file, fi.Size(), func() { file.Close() }, nil
}

// tarMode maps Go's file mode bits to the POSIX bits a tar header stores.
func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}

type countKey struct{}

// withCount has the layer's files' reads reported to count; nil reports
// nothing (the cache's digest pass, which is not the compression shown).
func withCount(ctx context.Context, count func(int64)) context.Context {
	return context.WithValue(ctx, countKey{}, count)
}

func countOf(ctx context.Context) func(int64) {
	f, _ := ctx.Value(countKey{}).(func(int64))
	return f
}
