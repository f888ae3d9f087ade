package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// CompressionLevel is the fixed gzip level of every layer. The digest of a
// layer depends on it (and on Go's deflate implementation), so it never varies.
// The default level, not the best: on shared libraries and Rust binaries best
// saves about 0.1% of the bytes for twice the time, and the application layer
// is compressed on every build.
const CompressionLevel = gzip.DefaultCompression

// Layer returns a gzip-compressed OCI layer holding files in the given order.
// Every entry is owned by root unless the file says otherwise (no names) and
// carries epoch as its only timestamp, so the same files and epoch always
// give the same digest, whatever the host's mtimes, owners or umask. Source
// files are read once, here, in chunks: the compressed layer goes to a
// file, so memory does not grow with the files, and later changes on the
// host do not alter the returned layer.
func Layer(files []fileset.File, epoch time.Time) (v1.Layer, error) {
	return (*Cache)(nil).Layer(files, epoch)
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
		return writeRegular(ctx, tw, hdr, f)
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("layer entry %s: writing tar header: %w", f.Path, err)
	}
	return nil
}

// writeRegular writes a regular file's header and content, streaming a
// host file in chunks.
func writeRegular(ctx context.Context, tw *tar.Writer, hdr *tar.Header, f fileset.File) error {
	hdr.Typeflag = tar.TypeReg
	var r io.Reader = bytes.NewReader(f.Data)
	hdr.Size = int64(len(f.Data))
	if f.Source != "" {
		src, err := os.Open(f.Source)
		if err != nil {
			return fmt.Errorf("layer entry %s: reading host file: %w", f.Path, err)
		}
		defer src.Close()
		fi, err := src.Stat()
		if err != nil {
			return fmt.Errorf("layer entry %s: reading host file: %w", f.Path, err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("layer entry %s: host file %s is not a regular file (%s)", f.Path, f.Source, fi.Mode().Type())
		}
		r, hdr.Size = ctxReader{ctx, src}, fi.Size()
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("layer entry %s: writing tar header: %w", f.Path, err)
	}
	n, err := io.Copy(tw, r)
	if err == nil && n != hdr.Size {
		err = fmt.Errorf("the file changed size while it was read (%d bytes, then %d); build again", hdr.Size, n)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("layer entry %s: writing content: %w", f.Path, err)
	}
	return nil
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
