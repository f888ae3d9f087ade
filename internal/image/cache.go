package image

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
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
	// Dir holds one <compressor>/<diffid>.<digest>.tar.gz (or .tar.zst) per layer.
	Dir string
	// Keep is how many layers stay after a write, newest used first;
	// 0 means 32.
	Keep int
}

// moduleVersion is the version of a module linked into this binary.
func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == path {
				return m.Version
			}
		}
	}
	return "unknown"
}

// Layer is Layer(files, epoch), through the cache. The tar is streamed
// twice at most: once through sha256 for the key, and on a miss once more
// through gzip into the new entry; memory does not grow with the files.
func (c *Cache) Layer(ctx context.Context, files []fileset.File, epoch time.Time, comp Compression) (v1.Layer, error) {
	if c == nil || c.Dir == "" {
		return tempLayer(ctx, files, epoch, comp)
	}
	diffID, err := diffIDOf(ctx, files, epoch)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(c.Dir, comp.compressorName())
	if l, ok := cachedLayer(dir, diffID, comp); ok {
		return l, nil
	}
	l, err := c.store(ctx, dir, files, epoch, comp)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		// A cache that cannot be written only costs speed.
		return tempLayer(ctx, files, epoch, comp)
	}
	if d, _ := l.DiffID(); d != diffID {
		return nil, fmt.Errorf("layer files changed while being read (tar digest %s, then %s): rebuild once they are no longer being written", diffID, d)
	}
	c.prune()
	return l, nil
}

// An entry is named <diffid>.<digest>.tar.gz (.tar.zst): the digest a fresh build gave
// is kept with the bytes, and an entry is used only if its bytes still hash
// to it. An entry recompressed (or damaged) since can therefore never change
// a layer's digest.
func entryName(s blobSums) string {
	return s.diffID.Hex + "." + s.digest.Hex + s.comp.ext()
}

// cachedLayer opens the entry for diffID whose bytes hash to the digest in
// its name.
func cachedLayer(dir string, diffID v1.Hash, comp Compression) (v1.Layer, bool) {
	matches, _ := filepath.Glob(filepath.Join(dir, diffID.Hex+".*"+comp.ext()))
	for _, m := range matches {
		want := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), diffID.Hex+"."), comp.ext())
		f, err := os.Open(m)
		if err != nil {
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, bufio.NewReaderSize(f, 1<<20))
		if err != nil || hex.EncodeToString(h.Sum(nil)) != want {
			f.Close()
			continue
		}
		now := time.Now()
		os.Chtimes(m, now, now) // mark as recently used; best effort
		return &fileLayer{f: f, sums: blobSums{diffID: diffID, digest: v1.Hash{Algorithm: "sha256", Hex: want}, size: n, comp: comp}}, true
	}
	return nil, false
}

// store compresses files into a new entry, written under a temporary name
// and renamed once complete. It is not fsynced: a cache entry torn by a crash
// fails the digest check above and is only rebuilt.
func (c *Cache) store(ctx context.Context, dir string, files []fileset.File, epoch time.Time, comp Compression) (v1.Layer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// The temporary name carries the pid, so the next store here removes
	// what a killed berth left.
	f, err := atomicfile.CreateTemp(dir, "entry")
	if err != nil {
		return nil, err
	}
	sums, err := compressTo(ctx, f, files, epoch, comp)
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, entryName(sums)))
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &fileLayer{f: f, sums: sums}, nil
}

// prune removes all but the Keep most recently used layers.
func (c *Cache) prune() {
	keep := c.Keep
	if keep <= 0 {
		keep = 32
	}
	matches, _ := filepath.Glob(filepath.Join(c.Dir, "*", "*.tar.*"))
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
