package image

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
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
		l, err := c.Layer(cacheFiles("a"), epoch)
		if err != nil {
			t.Fatal(err)
		}
		if d, diff := digests(t, l); d != wantDigest || diff != wantDiff {
			t.Errorf("%s: digest %s diffid %s, want %s %s", pass, d, diff, wantDigest, wantDiff)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(c.Dir, compressor, "*.tar.gz"))
	if len(entries) != 1 || filepath.Base(entries[0]) != wantDiff.Hex+"-"+wantDigest.Hex+".tar.gz" {
		t.Errorf("cache holds %v, want one entry named by the diffid and digest", entries)
	}
}

// TestCacheIgnoresBadEntry: an entry whose bytes are not what a fresh build
// gives, damaged or recompressed (same content, other bytes), is never
// used: the digest stays the fresh build's.
func TestCacheIgnoresBadEntry(t *testing.T) {
	cases := []struct {
		name    string
		corrupt func(t *testing.T, entry string) []byte
	}{
		{"garbage", func(*testing.T, string) []byte { return []byte("garbage") }},
		{"recompressed", func(t *testing.T, entry string) []byte {
			f, err := os.Open(entry)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Header.Comment = "recompressed"
			if _, err := io.Copy(zw, zr); err != nil {
				t.Fatal(err)
			}
			zw.Close()
			return buf.Bytes()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cache{Dir: t.TempDir()}
			l, err := c.Layer(cacheFiles("a"), time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := digests(t, l)
			entries, _ := filepath.Glob(filepath.Join(c.Dir, compressor, "*.tar.gz"))
			if len(entries) != 1 {
				t.Fatalf("cache holds %v", entries)
			}
			if err := os.WriteFile(entries[0], tc.corrupt(t, entries[0]), 0o644); err != nil {
				t.Fatal(err)
			}
			if l, err = c.Layer(cacheFiles("a"), time.Unix(0, 0)); err != nil {
				t.Fatal(err)
			}
			if got, _ := digests(t, l); got != want {
				t.Errorf("digest = %s, want %s", got, want)
			}
		})
	}
}

// TestLayerBytesUnchanged: the streamed layer has the bytes the earlier
// whole-in-memory path gave (ggcr compressing the tar at the same level),
// so existing images keep their digests.
func TestLayerBytesUnchanged(t *testing.T) {
	big := bytes.Repeat([]byte("berth layer bytes "), 1<<16)
	files := []fileset.File{{Path: "/etc", Mode: 0o755 | os.ModeDir}, {Path: "/etc/big", Mode: 0o644, Data: big}, {Path: "/etc/x", Mode: 0o644, Data: []byte("x")}}
	var raw bytes.Buffer
	if err := writeTar(context.Background(), &raw, files, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	old, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw.Bytes())), nil },
		tarball.WithMediaType(types.OCILayer), tarball.WithCompressionLevel(CompressionLevel))
	if err != nil {
		t.Fatal(err)
	}
	l, err := Layer(files, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	wantD, wantDiff := digests(t, old)
	if d, diff := digests(t, l); d != wantD || diff != wantDiff {
		t.Errorf("streamed layer %s/%s, in-memory path %s/%s", d, diff, wantD, wantDiff)
	}
}

// TestLayerCancelled: a done context stops the layer.
func TestLayerCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []*Cache{nil, {Dir: t.TempDir()}} {
		if _, err := c.LayerContext(ctx, cacheFiles("a"), time.Unix(0, 0)); !errors.Is(err, context.Canceled) {
			t.Errorf("cache %v: err = %v, want context.Canceled", c, err)
		}
	}
}

func TestCachePrunes(t *testing.T) {
	c := &Cache{Dir: t.TempDir(), Keep: 2}
	for _, s := range []string{"a", "b", "c", "d"} {
		if _, err := c.Layer(cacheFiles(s), time.Unix(0, 0)); err != nil {
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
	if _, err := c.Layer(cacheFiles("a"), time.Unix(0, 0)); err != nil {
		t.Errorf("a cache that cannot be written failed the layer: %v", err)
	}
}
