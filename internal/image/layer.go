package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// CompressionLevel is the fixed gzip level of every layer. The digest of a
// layer depends on it (and on Go's deflate implementation), so it never varies.
// The default level, not the best: on shared libraries and Rust binaries best
// saves about 0.1% of the bytes for twice the time, and the application layer
// is compressed on every build.
const CompressionLevel = gzip.DefaultCompression

// Layer returns a gzip-compressed OCI layer holding files in the given order.
// Every entry is owned by root (uid/gid 0, no names) and carries epoch as its
// only timestamp, so the same files and epoch always give the same digest,
// whatever the host's mtimes, owners or umask. Source files are read once,
// here: later changes on the host do not alter the returned layer.
func Layer(files []fileset.File, epoch time.Time) (v1.Layer, error) {
	return (*Cache)(nil).Layer(files, epoch)
}

// layerFromTar compresses an uncompressed layer tar.
func layerFromTar(raw []byte) (v1.Layer, error) {
	opener := func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}
	l, err := tarball.LayerFromOpener(opener,
		tarball.WithMediaType(types.OCILayer),
		tarball.WithCompressionLevel(CompressionLevel),
		tarball.WithCompressedCaching)
	if err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	return plainLayer{l}, nil
}

// plainLayer hides the tarball layer's Descriptor method, whose empty (not
// nil) annotations map makes an image's Manifest() differ from its parsed
// RawManifest() (same bytes, but validate.Image rejects it).
type plainLayer struct{ v1.Layer }

// tarLayer writes the uncompressed tar stream of files.
func tarLayer(files []fileset.File, epoch time.Time) ([]byte, error) {
	// Whole seconds only: sub-second mtimes would force PAX records.
	mtime := time.Unix(epoch.Unix(), 0)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		if err := writeEntry(tw, f, mtime); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("finishing layer tar: %w", err)
	}
	return buf.Bytes(), nil
}

func writeEntry(tw *tar.Writer, f fileset.File, mtime time.Time) error {
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
	var data []byte
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
		var err error
		if data, err = content(f); err != nil {
			return err
		}
		hdr.Typeflag = tar.TypeReg
		hdr.Size = int64(len(data))
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("layer entry %s: writing tar header: %w", f.Path, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("layer entry %s: writing content: %w", f.Path, err)
	}
	return nil
}

// content returns the bytes of a regular file, from the host or from memory.
func content(f fileset.File) ([]byte, error) {
	if f.Source == "" {
		return f.Data, nil
	}
	fi, err := os.Stat(f.Source)
	if err != nil {
		return nil, fmt.Errorf("layer entry %s: reading host file: %w", f.Path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("layer entry %s: host file %s is not a regular file (%s)", f.Path, f.Source, fi.Mode().Type())
	}
	data, err := os.ReadFile(f.Source)
	if err != nil {
		return nil, fmt.Errorf("layer entry %s: reading host file: %w", f.Path, err)
	}
	return data, nil
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
