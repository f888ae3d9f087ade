package image

import (
	"bufio"
	"compress/gzip"
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

// CompressionLevel is the fixed gzip level of every layer. The digest of a
// layer depends on it (and on Go's deflate implementation), so it never varies.
// The default level, not the best: on shared libraries and Rust binaries best
// saves about 0.1% of the bytes for twice the time, and the application layer
// is compressed on every build.
const CompressionLevel = gzip.DefaultCompression

// blobSums are what one streamed pass learns about a layer.
type blobSums struct {
	diffID, digest v1.Hash
	size           int64
}

// compressTo streams files as tar through gzip into dst, hashing the tar
// (the diff_id) and the gzip stream (the digest) on the way. Memory stays a
// few buffers whatever the size of the files. The gzip stream is byte for
// byte the one go-containerregistry's tarball layers give (Go's compress/gzip,
// empty header, CompressionLevel), so digests are the same as when layers
// were built in memory.
func compressTo(dst io.Writer, files []fileset.File, epoch time.Time) (blobSums, error) {
	bw := bufio.NewWriterSize(dst, 1<<20)
	zsum := sha256.New()
	zcount := &counter{}
	zw, err := gzip.NewWriterLevel(io.MultiWriter(bw, zsum, zcount), CompressionLevel)
	if err != nil {
		return blobSums{}, fmt.Errorf("compressing layer: %w", err)
	}
	tsum := sha256.New()
	if err := writeTar(io.MultiWriter(zw, tsum), files, epoch); err != nil {
		return blobSums{}, err
	}
	if err := zw.Close(); err != nil {
		return blobSums{}, fmt.Errorf("compressing layer: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return blobSums{}, fmt.Errorf("writing compressed layer: %w", err)
	}
	return blobSums{diffID: sumOf(tsum), digest: sumOf(zsum), size: zcount.n}, nil
}

// diffIDOf streams the tar of files through sha256 only: the cache's key,
// learnt without compressing.
func diffIDOf(files []fileset.File, epoch time.Time) (v1.Hash, error) {
	h := sha256.New()
	bw := bufio.NewWriterSize(h, 1<<20)
	if err := writeTar(bw, files, epoch); err != nil {
		return v1.Hash{}, err
	}
	if err := bw.Flush(); err != nil {
		return v1.Hash{}, err
	}
	return sumOf(h), nil
}

// tempLayer compresses files into a temporary file that is unlinked at once:
// the open descriptor keeps the bytes readable for as long as the layer
// lives, and nothing is left on disk whatever way the process ends.
func tempLayer(files []fileset.File, epoch time.Time) (v1.Layer, error) {
	f, err := os.CreateTemp("", "berth-layer-*.tar.gz")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file for a layer (set TMPDIR to a writable directory): %w", err)
	}
	os.Remove(f.Name())
	sums, err := compressTo(f, files, epoch)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &fileLayer{f: f, sums: sums}, nil
}

func sumOf(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// fileLayer is a layer whose compressed bytes are in an open file (a cache
// entry or an unlinked temporary file), read with ReadAt so any number of
// readers (layout writer, pushes) can stream it at once.
type fileLayer struct {
	f    *os.File
	sums blobSums
}

func (l *fileLayer) Digest() (v1.Hash, error) { return l.sums.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error) { return l.sums.diffID, nil }
func (l *fileLayer) Size() (int64, error)     { return l.sums.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) {
	return types.OCILayer, nil
}
func (l *fileLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(l.f, 0, l.sums.size)), nil
}
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	zr, err := gzip.NewReader(bufio.NewReaderSize(io.NewSectionReader(l.f, 0, l.sums.size), 1<<20))
	if err != nil {
		return nil, fmt.Errorf("decompressing layer: %w", err)
	}
	return zr, nil
}
