package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/filehash"
	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/stamp"
	"github.com/berth-dev/berth/internal/timing"
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
	// now is the clock stamps are settled against; nil means time.Now.
	now func() time.Time
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
	dir := filepath.Join(c.Dir, comp.compressorName())
	key, stable := stampKey(files, epoch, dir, c.clock())
	if stable {
		if l := c.stamped(dir, key, comp); l != nil {
			return l, nil
		}
	}
	l, err := c.layer(ctx, dir, files, epoch, comp)
	if err == nil && stable {
		c.stamp(key, l)
	}
	return l, err
}

// layer finds files' layer in the cache by the digest of their tar, or
// compresses it into a new entry.
func (c *Cache) layer(ctx context.Context, dir string, files []fileset.File, epoch time.Time, comp Compression) (v1.Layer, error) {
	done := timing.Start(ctx, "  tar digest (cache key)")
	diffID, err := diffIDOf(withCount(ctx, nil), files, epoch)
	done()
	if err != nil {
		return nil, err
	}
	done = timing.Start(ctx, "  cache entry check")
	l, ok := cachedLayer(dir, diffID, comp)
	done()
	if ok {
		return l, nil
	}
	done = timing.Start(ctx, "  compress into the cache")
	l, err = c.store(ctx, dir, files, epoch, comp)
	done()
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
		sum, n, err := filehash.Of(f)
		if err != nil || sum != want {
			f.Close()
			continue
		}
		now := time.Now()
		os.Chtimes(m, now, now) // mark as recently used; best effort
		return &fileLayer{f: f, sums: blobSums{diffID: diffID, digest: v1.Hash{Algorithm: "sha256", Hex: want}, size: n, comp: comp}, entry: m}, true
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
	entry := filepath.Join(dir, entryName(sums))
	if err == nil {
		err = os.Rename(f.Name(), entry)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &fileLayer{f: f, sums: sums, entry: entry}, nil
}

// prune removes all but the Keep most recently used layers.
func (c *Cache) prune() {
	keep := c.Keep
	if keep <= 0 {
		keep = 32
	}
	atomicfile.Prune(filepath.Join(c.Dir, "*", "*.tar.*"), keep)
}

// stampKey names a layer by its files' metadata and their sources'
// identities (stamp.ID), without reading them; stable is false when a
// source changed too recently for its identity to be trusted, or cannot
// be read. dir (the compressor's) is part of the key.
func stampKey(files []fileset.File, epoch time.Time, dir string, now time.Time) (key string, stable bool) {
	parts := []string{"berth layer v1", dir, epoch.UTC().Format(time.RFC3339)}
	for _, f := range files {
		id := ""
		switch {
		case f.Source != "":
			if id = string(stamp.Of(f.Source, now)); id == "" {
				return "", false
			}
		case len(f.Data) > 0:
			sum := sha256.Sum256(f.Data)
			id = hex.EncodeToString(sum[:])
		}
		parts = append(parts, fmt.Sprintf("%s %o %d:%d %q %q %s", f.Path, uint32(f.Mode), f.UID, f.GID, f.Link, f.Source, id))
	}
	return stamp.Key(parts...), true
}

func (c *Cache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *Cache) stamps() stamp.Store { return stamp.Store{Dir: filepath.Join(c.Dir, "stamps")} }

// stamped opens the entry a stamp names, if that entry is still the file
// the stamp saw (nothing rewrote or recompressed it since): the tar is
// neither read nor hashed. The entry is touched (recently used) and the
// stamp renewed with its new identity.
func (c *Cache) stamped(dir, key string, comp Compression) v1.Layer {
	v, ok := c.stamps().Get(key)
	if !ok {
		return nil
	}
	var diffID, digest, id string
	var size int64
	if n, _ := fmt.Sscanf(v, "%s %s %d %s", &diffID, &digest, &size, &id); n != 4 {
		return nil
	}
	sums := blobSums{diffID: v1.Hash{Algorithm: "sha256", Hex: diffID}, digest: v1.Hash{Algorithm: "sha256", Hex: digest}, size: size, comp: comp}
	f, err := os.Open(filepath.Join(dir, entryName(sums)))
	if err != nil {
		return nil
	}
	if fi, err := f.Stat(); err != nil || string(stamp.Exact(fi)) != id || fi.Size() != size {
		f.Close()
		return nil
	}
	l := &fileLayer{f: f, sums: sums, entry: f.Name()}
	now := time.Now()
	if os.Chtimes(f.Name(), now, now) == nil {
		c.stamp(key, l)
	}
	return l
}

// stamp records under key the cache entry l is read from, as it is now.
func (c *Cache) stamp(key string, l v1.Layer) {
	fl, ok := l.(*fileLayer)
	if !ok {
		return
	}
	if fl.entry == "" {
		return // an unlinked temporary layer: nothing to find again
	}
	fi, err := fl.f.Stat()
	if err != nil {
		return
	}
	c.stamps().Put(key, fmt.Sprintf("%s %s %d %s", fl.sums.diffID.Hex, fl.sums.digest.Hex, fl.sums.size, stamp.Exact(fi)))
}
