package unpack

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func libImage(t *testing.T, body string) v1.Image {
	return imageOf(t, []entry{{name: "lib/libc.so.6", typ: tar.TypeReg, body: body, mode: 0o755}})
}

// TestTamperedLayoutBlob: a layer whose bytes no longer match its digest
// (a valid gzip tar, of another layer) is an error, and nothing is cached
// (issue 16, high 3).
func TestTamperedLayoutBlob(t *testing.T) {
	dir := t.TempDir()
	img := throughLayout(t, libImage(t, "good libc"), dir)
	layers, _ := img.Layers()
	d, _ := layers[0].Digest()
	evil, _ := imageOf(t, []entry{{name: "lib/libc.so.6", typ: tar.TypeReg, body: "evil libc"}}).Layers()
	rc, _ := evil[0].Compressed()
	data, _ := io.ReadAll(rc)
	if err := os.WriteFile(filepath.Join(dir, "blobs", "sha256", d.Hex), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := &Cache{Dir: t.TempDir()}
	_, _, err := cache.Root(context.Background(), img, Options{})
	if err == nil || !strings.Contains(err.Error(), "not to its digest") {
		t.Fatalf("err = %v, want a digest mismatch", err)
	}
	if e := entries(t, cache.Dir); len(e) != 0 {
		t.Errorf("the cache kept %v", e)
	}
}

// TestShortBlobFromRegistry: a registry that sends a short layer blob gives
// an error and no cached root; once the registry is repaired the next run
// extracts the right files (issue 16, high 3: an empty root was cached).
func TestShortBlobFromRegistry(t *testing.T) {
	img := libImage(t, strings.Repeat("libc bytes ", 10000))
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	var short atomic.Bool
	short.Store(true)
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !short.Load() || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+ld.String()) {
			reg.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		reg.ServeHTTP(rec, r)
		body := rec.Body.Bytes()[:rec.Body.Len()/2]
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	defer srv.Close()
	ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/runtime:short")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	_, before := canary(t)
	was := before()
	cache := &Cache{Dir: t.TempDir()}
	if _, _, err := cache.Root(context.Background(), pulled, Options{}); err == nil {
		t.Fatal("a short blob was extracted without error")
	}
	if e := entries(t, cache.Dir); len(e) != 0 {
		t.Errorf("the cache kept %v after a short blob", e)
	}
	short.Store(false)
	root, _, err := cache.Root(context.Background(), pulled, Options{})
	if err != nil {
		t.Fatalf("after the registry is repaired: %v", err)
	}
	checkFiles(t, root, map[string]string{"lib/libc.so.6": strings.Repeat("libc bytes ", 10000)}, nil)
	if before() != was {
		t.Error("the canary changed")
	}
}

// TestCachedRootVerified: a library edited or deleted in the cache is
// found when the root is used again, said, and extracted again (issue 16,
// medium: an edited libc shipped; a deleted one gave "install the package").
func TestCachedRootVerified(t *testing.T) {
	img := libImage(t, "good libc")
	tests := []struct {
		name   string
		damage func(root string) error
	}{
		{"edited", func(root string) error {
			return os.WriteFile(filepath.Join(root, "lib/libc.so.6"), []byte("evil libc"), 0o755)
		}},
		{"deleted", func(root string) error { return os.Remove(filepath.Join(root, "lib/libc.so.6")) }},
		{"added", func(root string) error { return os.WriteFile(filepath.Join(root, "lib/extra.so"), nil, 0o644) }},
		{"mode changed", func(root string) error { return os.Chmod(filepath.Join(root, "lib/libc.so.6"), 0o644) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			cache := &Cache{Dir: t.TempDir(), Log: &log}
			root, _, err := cache.Root(context.Background(), img, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.damage(root); err != nil {
				t.Fatal(err)
			}
			again, _, err := cache.Root(context.Background(), img, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkFiles(t, again, map[string]string{"lib/libc.so.6": "good libc", "lib/extra.so": ""}, map[string]os.FileMode{"lib/libc.so.6": 0o755})
			if !strings.Contains(log.String(), "changed since they were extracted") {
				t.Errorf("log = %q, want it to say the cache was changed", log.String())
			}
		})
	}
}

// TestCachePrunedAndStaleCleaned: the cache keeps Keep roots, and the
// leftovers of a dead run are removed by the next one.
func TestCachePrunedAndStaleCleaned(t *testing.T) {
	cache := &Cache{Dir: t.TempDir(), Keep: 2}
	stale := filepath.Join(cache.Dir, ".berth-tmp-extract-999999999-1")
	if err := os.MkdirAll(filepath.Join(stale, "root"), 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, _, err := cache.Root(context.Background(), libImage(t, fmt.Sprint("libc ", i)), Options{}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // distinct mtimes
	}
	if e := entries(t, cache.Dir); len(e) != 2 {
		t.Errorf("cache holds %v, want the 2 most recent roots only", e)
	}
}

// slowLayer serves a real layer's bytes slowly, like a slow registry.
type slowLayer struct{ v1.Layer }

func (l slowLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	return slowReader{rc}, err
}

type slowReader struct{ io.ReadCloser }

func (r slowReader) Read(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	return r.ReadCloser.Read(p[:min(len(p), 4096)])
}

// wrapped is an image whose layers are each given to wrap.
type wrapped struct {
	v1.Image
	wrap func(v1.Layer) v1.Layer
}

func (i wrapped) Layers() ([]v1.Layer, error) {
	ls, err := i.Image.Layers()
	for n := range ls {
		ls[n] = i.wrap(ls[n])
	}
	return ls, err
}

// TestInterrupt: cancelling a long extraction returns within a second and
// keeps nothing, in the cache or in the temporary directory (issue 16,
// medium: Ctrl-C was ignored until the end, and the result kept).
func TestInterrupt(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 8<<20) // 128 MiB
	img := wrapped{imageOf(t, []entry{{name: "lib/libbig.so", typ: tar.TypeReg, body: big}}), func(l v1.Layer) v1.Layer { return slowLayer{l} }}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, dir := range []string{"", t.TempDir()} {
		cache := &Cache{Dir: dir}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		start := time.Now()
		_, _, err := cache.Root(ctx, img, Options{})
		took := time.Since(start)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cache %q: err = %v, want context.Canceled", dir, err)
		}
		if took > 300*time.Millisecond+time.Second {
			t.Errorf("cache %q: returned %v after the interrupt, want within 1s", dir, took-300*time.Millisecond)
		}
		if e := append(entries(t, tmp), entries(t, dir)...); len(e) != 0 {
			t.Errorf("cache %q: kept %v", dir, e)
		}
	}
}

// stalledLayer serves the first 4 KiB of a real layer, then blocks until
// it is closed: a registry that stops sending, on a connection that no
// context reaches.
type stalledLayer struct{ v1.Layer }

func (l stalledLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, err
	}
	return &stalledReader{head: io.LimitReader(rc, 4096), rc: rc, closed: make(chan struct{})}, nil
}

type stalledReader struct {
	head   io.Reader
	rc     io.ReadCloser
	closed chan struct{}
	once   sync.Once
}

func (r *stalledReader) Read(p []byte) (int, error) {
	if n, err := r.head.Read(p); err != io.EOF {
		return n, err
	}
	<-r.closed
	return 0, io.ErrClosedPipe
}

func (r *stalledReader) Close() error {
	r.once.Do(func() { close(r.closed) })
	return r.rc.Close()
}

// TestInterruptStalledBlob: an interrupt while a blob's read is blocked
// returns at once (the blob is closed on cancel) and keeps nothing; it hung
// until the read returned, which for a stalled connection is never.
func TestInterruptStalledBlob(t *testing.T) {
	body := make([]byte, 1<<20) // incompressible: the blob is far longer than the 4 KiB served
	rand.NewChaCha8([32]byte{}).Read(body)
	img := wrapped{imageOf(t, []entry{{name: "lib/libbig.so", typ: tar.TypeReg, body: string(body)}}), func(l v1.Layer) v1.Layer { return stalledLayer{l} }}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, dir := range []string{"", t.TempDir()} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, _, err := (&Cache{Dir: dir}).Root(ctx, img, Options{})
			done <- err
		}()
		time.Sleep(100 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cache %q: err = %v, want context.Canceled", dir, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("cache %q: still extracting 5s after the interrupt", dir)
		}
		if e := append(entries(t, tmp), entries(t, dir)...); len(e) != 0 {
			t.Errorf("cache %q: kept %v", dir, e)
		}
	}
}
