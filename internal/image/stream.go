package image

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// CompressionLevel is the fixed gzip level of every layer. The digest of a
// layer depends on it, on gzipBlock and on the deflate implementation
// (klauspost/compress through pgzip), so none of them varies. Level 6, as
// measured by bench/compress on a 154 MB shared library with 2 cores:
// 0.22x the time of single-threaded gzip -6 for 4.7% more bytes; level 5 is
// 4% faster for 0.8% more bytes, level 1 twice as fast for 12% more.
const CompressionLevel = 6

// gzipBlock is the size of the blocks pgzip compresses in parallel, each
// with the previous block's tail as its dictionary. The output depends on it
// and on nothing else of the machine: the same bytes at any GOMAXPROCS.
// gzipBlocks only bounds how many are in flight (memory: about
// 2 x gzipBlock x gzipBlocks).
const (
	gzipBlock  = 1 << 20
	gzipBlocks = 4
)

// blobSums are what one streamed pass learns about a layer.
type blobSums struct {
	diffID, digest v1.Hash
	size           int64
	comp           Compression
}

// compressTo streams files as tar through gzip into dst, hashing the tar
// (the diff_id) and the gzip stream (the digest) on the way. Memory stays a
// few buffers whatever the size of the files. The gzip stream is compressed
// on every core, deterministically (see Compression.newWriter).
func compressTo(ctx context.Context, dst io.Writer, files []fileset.File, epoch time.Time, comp Compression) (blobSums, error) {
	bw := bufio.NewWriterSize(dst, 1<<20)
	zsum := sha256.New()
	zcount := &counter{}
	out := &gate{w: io.MultiWriter(bw, zsum, zcount)}
	zw, err := comp.newWriter(out)
	if err != nil {
		return blobSums{}, fmt.Errorf("compressing layer: %w", err)
	}
	tsum := sha256.New()
	if err := writeTar(ctx, io.MultiWriter(zw, tsum), files, epoch); err != nil {
		// Close compresses the blocks in flight first (up to gzipBlocks
		// MiB: a quarter second on a quiet machine, over a second on a busy
		// one) only to throw them away. Shut the gate, so that nothing more
		// reaches dst, and let Close end pgzip's goroutines in the background.
		out.shut()
		go zw.Close()
		return blobSums{}, err
	}
	if err := zw.Close(); err != nil {
		return blobSums{}, fmt.Errorf("compressing layer: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return blobSums{}, fmt.Errorf("writing compressed layer: %w", err)
	}
	return blobSums{diffID: sumOf(tsum), digest: sumOf(zsum), size: zcount.n, comp: comp}, nil
}

// diffIDOf streams the tar of files through sha256 only: the cache's key,
// learnt without compressing.
func diffIDOf(ctx context.Context, files []fileset.File, epoch time.Time) (v1.Hash, error) {
	h := sha256.New()
	bw := bufio.NewWriterSize(h, 1<<20)
	if err := writeTar(ctx, bw, files, epoch); err != nil {
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
func tempLayer(ctx context.Context, files []fileset.File, epoch time.Time, comp Compression) (v1.Layer, error) {
	f, err := os.CreateTemp("", "berth-layer-*"+comp.ext())
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file for a layer (set TMPDIR to a writable directory): %w", err)
	}
	os.Remove(f.Name())
	sums, err := compressTo(ctx, f, files, epoch, comp)
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
	// entry is the cache entry's path; "" for an unlinked temporary file.
	entry string
}

func (l *fileLayer) Digest() (v1.Hash, error) { return l.sums.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error) { return l.sums.diffID, nil }
func (l *fileLayer) Size() (int64, error)     { return l.sums.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) {
	return l.sums.comp.mediaType(), nil
}
func (l *fileLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(l.f, 0, l.sums.size)), nil
}
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	zr, err := l.sums.comp.newReader(bufio.NewReaderSize(io.NewSectionReader(l.f, 0, l.sums.size), 1<<20))
	if err != nil {
		return nil, fmt.Errorf("decompressing layer: %w", err)
	}
	return zr, nil
}

// gate passes writes to w until it is shut, then refuses them: a
// compressor given up on finishes in the background without writing to a
// destination its caller has closed or removed.
type gate struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

var errGateShut = errors.New("layer abandoned")

func (g *gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return 0, errGateShut
	}
	return g.w.Write(p)
}

func (g *gate) shut() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}
