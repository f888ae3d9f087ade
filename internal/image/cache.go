package image

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
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

// Layer is Layer(files, epoch), through the cache.
func (c *Cache) Layer(files []fileset.File, epoch time.Time) (v1.Layer, error) {
	raw, err := tarLayer(files, epoch)
	if err != nil {
		return nil, err
	}
	if c == nil || c.Dir == "" {
		return layerFromTar(raw)
	}
	sum := sha256.Sum256(raw)
	diffID := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	blob := filepath.Join(c.Dir, compressor, diffID.Hex+".tar.gz")
	if l, ok := cachedLayer(blob, diffID); ok {
		now := time.Now()
		os.Chtimes(blob, now, now) // mark as recently used; best effort
		return l, nil
	}
	l, err := layerFromTar(raw)
	if err != nil {
		return nil, err
	}
	compressed, err := readAllLayer(l)
	if err != nil {
		return nil, err
	}
	// A cache that cannot be written only costs speed.
	if c.store(blob, compressed) == nil {
		c.prune()
	}
	return &blobLayer{compressed: compressed, diffID: diffID, digest: digestOf(compressed)}, nil
}

// cachedLayer reads blob and checks that it decompresses to diffID, so a
// damaged cache entry is never used.
func cachedLayer(blob string, diffID v1.Hash) (v1.Layer, bool) {
	compressed, err := os.ReadFile(blob)
	if err != nil {
		return nil, false
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, false
	}
	h := sha256.New()
	if _, err := io.Copy(h, zr); err != nil || hex.EncodeToString(h.Sum(nil)) != diffID.Hex {
		return nil, false
	}
	return &blobLayer{compressed: compressed, diffID: diffID, digest: digestOf(compressed)}, true
}

func (c *Cache) store(blob string, data []byte) error {
	return atomicfile.WriteFile(blob, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
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

func readAllLayer(l v1.Layer) ([]byte, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	return b, nil
}

func digestOf(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// blobLayer is a layer whose compressed bytes are in memory.
type blobLayer struct {
	compressed     []byte
	diffID, digest v1.Hash
}

func (l *blobLayer) Digest() (v1.Hash, error) { return l.digest, nil }
func (l *blobLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }
func (l *blobLayer) Size() (int64, error)     { return int64(len(l.compressed)), nil }
func (l *blobLayer) MediaType() (types.MediaType, error) {
	return types.OCILayer, nil
}
func (l *blobLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.compressed)), nil
}
func (l *blobLayer) Uncompressed() (io.ReadCloser, error) {
	zr, err := gzip.NewReader(bytes.NewReader(l.compressed))
	if err != nil {
		return nil, err
	}
	return zr, nil
}
