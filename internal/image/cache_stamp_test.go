package image

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
)

// A layer whose sources are unchanged is found again by their identity,
// without reading them; any change of a source, even one that keeps its
// size and mtime, or of the cache entry, is seen, and the layer is right.
func TestCacheStamps(t *testing.T) {
	later := func() time.Time { return time.Now().Add(time.Minute) } // every file settled
	tests := []struct {
		name   string
		now    func() time.Time
		change func(t *testing.T, src, entry string)
		want   string // the source's content the layer must hold
		fast   bool   // found by its stamp, the sources not read
	}{
		{name: "unchanged", now: later, want: "aaaa", fast: true},
		{name: "just written: not trusted", now: time.Now, want: "aaaa"},
		{name: "same size and mtime, new content", now: later, want: "bbbb", change: func(t *testing.T, src, _ string) {
			fi, _ := os.Stat(src)
			writeFile(t, src, []byte("bbbb"))
			os.Chtimes(src, fi.ModTime(), fi.ModTime())
		}},
		{name: "entry rewritten in place", now: later, want: "aaaa", change: func(t *testing.T, _, entry string) {
			data, _ := os.ReadFile(entry)
			writeFile(t, entry, append(data, 0))
		}},
		{name: "entry removed", now: later, want: "aaaa", change: func(t *testing.T, _, entry string) {
			os.Remove(entry)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "bin")
			writeFile(t, src, []byte("aaaa"))
			files := func() []fileset.File { return []fileset.File{{Path: "/bin", Mode: 0o755, Source: src}} }
			c := &Cache{Dir: filepath.Join(dir, "cache"), now: tt.now}
			first, err := c.Layer(context.Background(), files(), time.Unix(0, 0), Gzip)
			if err != nil {
				t.Fatal(err)
			}
			if tt.change != nil {
				tt.change(t, src, first.(*fileLayer).entry)
			}
			if got := stampHit(c, files(), tt.now()); got != tt.fast {
				t.Errorf("found by its stamp: %v, want %v", got, tt.fast)
			}
			l, err := c.Layer(context.Background(), files(), time.Unix(0, 0), Gzip)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Layer([]fileset.File{{Path: "/bin", Mode: 0o755, Data: []byte(tt.want)}}, time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			wd, wdiff := digests(t, want)
			if d, diff := digests(t, l); d != wd || diff != wdiff {
				t.Errorf("layer %s/%s, want %s/%s (content %q)", d, diff, wd, wdiff, tt.want)
			}
		})
	}
}

func stampHit(c *Cache, files []fileset.File, now time.Time) bool {
	dir := filepath.Join(c.Dir, Gzip.compressorName())
	key, ok := stampKey(files, time.Unix(0, 0), dir, now)
	return ok && c.stamped(dir, key, Gzip) != nil
}

// A layer's compression reports on Progress the bytes of its files, and
// the digest pass of the cache does not count them a second time.
func TestLayerProgress(t *testing.T) {
	defer func(q time.Duration) { progressQuiet = q }(progressQuiet)
	progressQuiet = -time.Second // show from the first read
	data := make([]byte, 3_000_000)
	for _, cache := range []*Cache{nil, {Dir: t.TempDir()}} {
		var out strings.Builder
		opts := Options{
			Layers:     [][]fileset.File{{{Path: "/app", Mode: 0o755, Data: data}}},
			LayerNames: []string{"application app"},
			Progress:   &out,
			Cache:      cache,
		}
		if _, err := Build(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); !strings.HasPrefix(got, "compressing application app: ") || !strings.Contains(got, " / 3.0 MB (") || strings.Count(got, "\n") != 1 {
			t.Errorf("cache %v: progress %q, want one plain line about 3.0 MB", cache != nil, got)
		}
	}
}
