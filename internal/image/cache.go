package image

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Cache keeps compressed layers by the digest of their uncompressed tar, so
// an unchanged layer (the runtime files, build after build) is not
// compressed again. It changes no byte of any image: a cached blob is what
// Layer would produce. A nil *Cache caches nothing.
type Cache struct {
	// Dir holds one <diffid>.tar.gz per layer.
	Dir string
	// Keep is how many layers stay after a write, newest used first;
	// 0 means 32.
	Keep int
}

// compressor names what produced a cached blob: the same tar compressed by
// another gzip level or another Go's deflate gives other bytes, so each gets
// its own directory and a cache never hands out bytes a fresh build would not.
var compressor = fmt.Sprintf("%s-gzip%d", runtime.Version(), CompressionLevel)

// Layer is LayerContext with a context that is never done.
func (c *Cache) Layer(files []fileset.File, epoch time.Time) (v1.Layer, error) {
	return c.LayerContext(context.Background(), files, epoch)
}

// LayerContext is Layer(files, epoch) through the cache: the files are
// streamed (hashed, then compressed on a miss), never held in memory, and
// the work stops between chunks when ctx is done. An entry is named by its
// diff ID and compressed digest, and is used only when its bytes still
// have that digest and decompress to that diff ID: a damaged or
// recompressed entry can never change an image's digest.
func (c *Cache) LayerContext(ctx context.Context, files []fileset.File, epoch time.Time) (v1.Layer, error) {
	if c == nil || c.Dir == "" {
		return tempLayer(ctx, files, epoch)
	}
	diffID, err := diffIDOf(ctx, files, epoch)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(c.Dir, compressor)
	if l, ok := cachedLayer(ctx, dir, diffID); ok {
		return l, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l, err := c.compress(ctx, dir, diffID, files, epoch)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A cache that cannot be written only costs speed.
		return tempLayer(ctx, files, epoch)
	}
	return l, nil
}

// compress writes a new cache entry for diffID, atomically.
func (c *Cache) compress(ctx context.Context, dir string, diffID v1.Hash, files []fileset.File, epoch time.Time) (v1.Layer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := atomicfile.CreateTemp(dir, diffID.Hex)
	if err != nil {
		return nil, err
	}
	d, err := compressTo(ctx, f, files, epoch)
	if err == nil && d.diffID != diffID {
		err = fmt.Errorf("a file changed while it was being packaged; build again")
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, entryName(d)))
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	c.prune()
	return &fileLayer{f: f, layerDigests: d}, nil
}

func entryName(d layerDigests) string { return d.diffID.Hex + "-" + d.digest.Hex + ".tar.gz" }

// cachedLayer finds diffID's entry in dir and checks it in one read: its
// bytes have the digest its name says, and decompress to diffID.
func cachedLayer(ctx context.Context, dir string, diffID v1.Hash) (v1.Layer, bool) {
	matches, _ := filepath.Glob(filepath.Join(dir, diffID.Hex+"-*.tar.gz"))
	for _, m := range matches {
		want := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), diffID.Hex+"-"), ".tar.gz")
		f, err := os.Open(m)
		if err != nil {
			continue
		}
		if d, ok := verifyEntry(ctx, f, diffID); ok && d.digest.Hex == want {
			now := time.Now()
			os.Chtimes(m, now, now) // mark as recently used; best effort
			return &fileLayer{f: f, layerDigests: d}, true
		}
		f.Close()
		os.Remove(m) // damaged or not ours: the next build writes a good one
	}
	return nil, false
}

// verifyEntry reads a compressed layer once, hashing it and what it
// decompresses to.
func verifyEntry(ctx context.Context, f *os.File, diffID v1.Hash) (layerDigests, bool) {
	dh := sha256.New()
	cr := &countingWriter{w: dh}
	zr, err := gzip.NewReader(io.TeeReader(ctxReader{ctx, f}, cr))
	if err != nil {
		return layerDigests{}, false
	}
	uh := sha256.New()
	if _, err := io.Copy(uh, zr); err != nil || zr.Close() != nil {
		return layerDigests{}, false
	}
	// Whatever follows the gzip stream is part of the blob too.
	if _, err := io.Copy(cr, ctxReader{ctx, f}); err != nil {
		return layerDigests{}, false
	}
	d := layerDigests{diffID: hashOf(uh), digest: hashOf(dh), size: cr.n}
	return d, d.diffID == diffID
}

// prune removes all but the Keep most recently used layers.
func (c *Cache) prune() {
	keep := c.Keep
	if keep <= 0 {
		keep = 32
	}
	matches, _ := filepath.Glob(filepath.Join(c.Dir, "*", "*.tar.gz"))
	if len(matches) <= keep {
		return
	}
	mtime := map[string]time.Time{}
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil {
			mtime[m] = info.ModTime()
		}
	}
	sort.Slice(matches, func(i, j int) bool { return mtime[matches[i]].After(mtime[matches[j]]) })
	for _, m := range matches[keep:] {
		os.Remove(m)
	}
}
