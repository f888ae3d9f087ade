package image

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layerDigests are what one pass over a layer's files yields.
type layerDigests struct {
	diffID, digest v1.Hash
	size           int64 // compressed
}

// writeTar streams the tar of files to w, reading each host file in chunks
// (never whole), and stops between chunks when ctx is done.
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

// diffIDOf hashes the uncompressed tar of files without keeping it.
func diffIDOf(ctx context.Context, files []fileset.File, epoch time.Time) (v1.Hash, error) {
	h := sha256.New()
	if err := writeTar(ctx, h, files, epoch); err != nil {
		return v1.Hash{}, err
	}
	return hashOf(h), nil
}

// compressTo writes the gzip-compressed tar of files to w in one pass,
// computing the diff ID and the compressed digest on the way.
func compressTo(ctx context.Context, w io.Writer, files []fileset.File, epoch time.Time) (layerDigests, error) {
	dh := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(w, dh)}
	zw, err := gzip.NewWriterLevel(cw, CompressionLevel)
	if err != nil {
		return layerDigests{}, err
	}
	uh := sha256.New()
	if err := writeTar(ctx, io.MultiWriter(zw, uh), files, epoch); err != nil {
		return layerDigests{}, err
	}
	if err := zw.Close(); err != nil {
		return layerDigests{}, fmt.Errorf("compressing layer: %w", err)
	}
	return layerDigests{diffID: hashOf(uh), digest: hashOf(dh), size: cw.n}, nil
}

func hashOf(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ctxReader stops a copy between chunks when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// fileLayer is a compressed layer held in a file, read through an open
// handle: memory does not grow with the layer, and the bytes cannot change
// under the image even if the file's name is reused.
type fileLayer struct {
	f *os.File
	layerDigests
}

func (l *fileLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *fileLayer) Size() (int64, error)                { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(l.f, 0, l.size)), nil
}
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	return gzip.NewReader(io.NewSectionReader(l.f, 0, l.size))
}

// tempLayer compresses files into an unlinked temporary file: nothing is
// left on disk, even when the process is killed.
func tempLayer(ctx context.Context, files []fileset.File, epoch time.Time) (v1.Layer, error) {
	f, err := os.CreateTemp("", "berth-layer-")
	if err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	os.Remove(f.Name())
	d, err := compressTo(ctx, f, files, epoch)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &fileLayer{f: f, layerDigests: d}, nil
}
