package image

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func cacheFiles(content string) []fileset.File {
	return []fileset.File{{Path: "/etc", Mode: 0o755 | os.ModeDir}, {Path: "/etc/x", Mode: 0o644, Data: []byte(content)}}
}

func digests(t *testing.T, l v1.Layer) (v1.Hash, v1.Hash) {
	t.Helper()
	d, err := l.Digest()
	if err != nil {
		t.Fatal(err)
	}
	diff, err := l.DiffID()
	if err != nil {
		t.Fatal(err)
	}
	return d, diff
}

func TestCacheGivesTheSameLayer(t *testing.T) {
	epoch := time.Unix(0, 0)
	plain, err := Layer(cacheFiles("a"), epoch)
	if err != nil {
		t.Fatal(err)
	}
	wantDigest, wantDiff := digests(t, plain)
	c := &Cache{Dir: t.TempDir()}
	for _, pass := range []string{"miss", "hit"} {
		l, err := c.Layer(context.Background(), cacheFiles("a"), epoch, Gzip)
		if err != nil {
			t.Fatal(err)
		}
		if d, diff := digests(t, l); d != wantDigest || diff != wantDiff {
			t.Errorf("%s: digest %s diffid %s, want %s %s", pass, d, diff, wantDigest, wantDiff)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(c.Dir, Gzip.compressorName(), "*.tar.gz"))
	if len(entries) != 1 || filepath.Base(entries[0]) != wantDiff.Hex+"."+wantDigest.Hex+".tar.gz" {
		t.Errorf("cache holds %v, want one entry named by the diffid and digest", entries)
	}
}

// A damaged entry, or one whose bytes were recompressed (same tar, other
// gzip bytes), is never handed out: the layer keeps a fresh build's digest.
func TestCacheIgnoresChangedEntry(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, entry string)
	}{
		{"garbage", func(t *testing.T, entry string) { writeFile(t, entry, []byte("garbage")) }},
		{"recompressed", func(t *testing.T, entry string) {
			var raw bytes.Buffer
			if err := writeTar(context.Background(), &raw, cacheFiles("a"), time.Unix(0, 0)); err != nil {
				t.Fatal(err)
			}
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			zw.Write(raw.Bytes())
			zw.Close()
			writeFile(t, entry, z.Bytes())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Cache{Dir: t.TempDir()}
			l, err := c.Layer(context.Background(), cacheFiles("a"), time.Unix(0, 0), Gzip)
			if err != nil {
				t.Fatal(err)
			}
			want, diff := digests(t, l)
			tt.change(t, filepath.Join(c.Dir, Gzip.compressorName(), diff.Hex+"."+want.Hex+".tar.gz"))
			l, err = c.Layer(context.Background(), cacheFiles("a"), time.Unix(0, 0), Gzip)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := digests(t, l); got != want {
				t.Errorf("after the entry changed, digest = %s, want %s", got, want)
			}
			if err := validate.Layer(l); err != nil {
				t.Errorf("layer from the cache does not validate: %v", err)
			}
		})
	}
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCachePrunes(t *testing.T) {
	c := &Cache{Dir: t.TempDir(), Keep: 2}
	for _, s := range []string{"a", "b", "c", "d"} {
		if _, err := c.Layer(context.Background(), cacheFiles(s), time.Unix(0, 0), Gzip); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(c.Dir, "*", "*.tar.gz"))
	if len(entries) != 2 {
		t.Errorf("cache holds %d layers, want 2", len(entries))
	}
}

func TestUnwritableCacheStillBuilds(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	c := &Cache{Dir: filepath.Join(file, "sub")}
	if _, err := c.Layer(context.Background(), cacheFiles("a"), time.Unix(0, 0), Gzip); err != nil {
		t.Errorf("a cache that cannot be written failed the layer: %v", err)
	}
}

// Cancelling stops a layer being compressed within a second, whatever the
// size of its file, and leaves no cache entry or temporary file behind.
func TestLayerStopsOnCancel(t *testing.T) {
	src := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 8 GiB that would take far longer than a second to compress.
	if err := f.Truncate(8 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	files := []fileset.File{{Path: "/big", Mode: 0o644, Source: src}}
	for _, c := range []*Cache{nil, {Dir: t.TempDir()}} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.Layer(ctx, files, time.Unix(0, 0), Gzip)
		if took := time.Since(start); took > 1200*time.Millisecond {
			t.Errorf("cache %v: cancelled layer returned after %s, want within 1 s of the cancel", c != nil, took)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cache %v: error = %v, want context.Canceled", c != nil, err)
		}
		if c != nil {
			left, _ := filepath.Glob(filepath.Join(c.Dir, Gzip.compressorName(), "*"))
			if len(left) != 0 {
				t.Errorf("cancelled layer left %v in the cache", left)
			}
		}
		cancel()
	}
}

// watchedWriter counts the writes that reach it after after is set.
type watchedWriter struct {
	mu          sync.Mutex
	after, late bool
}

func (w *watchedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.late = w.late || w.after
	return len(p), nil
}

// A cancelled layer writes nothing to its destination once compressTo has
// returned (its caller closes or removes it then), though pgzip's
// goroutines end in the background: the blocks in flight, incompressible
// here, would otherwise be flushed into it.
func TestCancelledLayerWritesNothingAfter(t *testing.T) {
	src := filepath.Join(t.TempDir(), "noise")
	noise := make([]byte, 64<<20)
	rand.NewChaCha8([32]byte{}).Read(noise)
	if err := os.WriteFile(src, noise, 0o644); err != nil {
		t.Fatal(err)
	}
	files := []fileset.File{{Path: "/noise", Mode: 0o644, Source: src}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	dst := &watchedWriter{}
	if _, err := compressTo(ctx, dst, files, time.Unix(0, 0), Gzip); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	dst.mu.Lock()
	dst.after = true
	dst.mu.Unlock()
	time.Sleep(2 * time.Second) // pgzip's blocks in flight end well within it
	dst.mu.Lock()
	defer dst.mu.Unlock()
	if dst.late {
		t.Error("the cancelled layer wrote to its destination after compressTo returned")
	}
}
