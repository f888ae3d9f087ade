package image

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
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
	if len(entries) != 1 || filepath.Base(entries[0]) != wantDiff.Hex+".tar.gz" {
		t.Errorf("cache holds %v, want one entry named by the diffid", entries)
	}
}

func TestCacheIgnoresDamagedEntry(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	l, err := c.Layer(cacheFiles("a"), time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want, diff := digests(t, l)
	if err := os.WriteFile(filepath.Join(c.Dir, compressor, diff.Hex+".tar.gz"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err = c.Layer(cacheFiles("a"), time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := digests(t, l); got != want {
		t.Errorf("after damage digest = %s, want %s", got, want)
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
