package unpack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/internal/atomicfile"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// tempBase names extraction directories (atomicfile.MkdirTemp): a build
// killed mid-extraction leaves one that the next run removes.
const tempBase = "extract"

// Cache keeps extracted roots by image digest: Dir/<hex>/root, with
// Dir/<hex>/manifest. A root is kept only when its whole extraction
// succeeded, and used again only while it matches its manifest. A Cache is
// for one choice of entries (one Options.Want).
type Cache struct {
	// Dir is the cache directory, checked by the caller (cachedir); ""
	// means no cache: each root is private and removed when released.
	Dir string
	// Keep is how many roots are kept, the most recently used; 0 means 8.
	Keep int
	// Log is told when a cached root no longer matches its manifest and
	// is extracted again; nil says nothing.
	Log io.Writer
}

// Root returns a directory holding img's chosen entries and a release
// function the caller calls once the root is no longer read: it removes a
// private root, and does nothing for a cached one.
func (c *Cache) Root(ctx context.Context, img v1.Image, opts Options) (string, func(), error) {
	if c == nil || c.Dir == "" {
		return Private(ctx, img, opts)
	}
	d, err := img.Digest()
	if err != nil {
		return "", nil, err
	}
	dir := filepath.Join(c.Dir, d.Hex)
	if c.reuse(dir) {
		return filepath.Join(dir, "root"), func() {}, nil
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("creating the cache directory %s: %w", c.Dir, err)
	}
	tmp, err := atomicfile.MkdirTemp(c.Dir, tempBase)
	if err != nil {
		return "", nil, fmt.Errorf("creating a directory in the cache %s: %w", c.Dir, err)
	}
	if err := extractWithManifest(ctx, img, tmp, opts); err != nil {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if c.reuse(dir) {
			return filepath.Join(dir, "root"), func() {}, nil // another build kept it first
		}
		return "", nil, fmt.Errorf("keeping the extracted files in %s: %w", dir, err)
	}
	atomicfile.Prune(filepath.Join(c.Dir, "[0-9a-f]*"), c.keep())
	return filepath.Join(dir, "root"), func() {}, nil
}

// Private extracts img's chosen entries into a new private (0700)
// temporary directory, and returns it with the function that removes it.
func Private(ctx context.Context, img v1.Image, opts Options) (string, func(), error) {
	dir, err := atomicfile.MkdirTemp(os.TempDir(), tempBase)
	if err != nil {
		return "", nil, fmt.Errorf("creating a temporary directory (set TMPDIR to a writable directory): %w", err)
	}
	release := func() { os.RemoveAll(dir) }
	if err := Extract(ctx, img, dir, opts); err != nil {
		release()
		return "", nil, err
	}
	return dir, release, nil
}

func extractWithManifest(ctx context.Context, img v1.Image, dir string, opts Options) error {
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		return err
	}
	if err := Extract(ctx, img, root, opts); err != nil {
		return err
	}
	m, err := manifest(root)
	if err != nil {
		return fmt.Errorf("listing the extracted files: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "manifest"), []byte(m), 0o600)
}

// reuse reports whether dir holds a root that still matches its manifest;
// one that does not is said so and removed.
func (c *Cache) reuse(dir string) bool {
	want, err := os.ReadFile(filepath.Join(dir, "manifest"))
	if errors.Is(err, os.ErrNotExist) {
		if _, statErr := os.Lstat(dir); statErr != nil {
			return false // not cached yet
		}
	}
	var got string
	if err == nil {
		got, err = manifest(filepath.Join(dir, "root"))
	}
	if err == nil && got == string(want) {
		now := time.Now()
		os.Chtimes(dir, now, now) // recently used, for Prune; best effort
		return true
	}
	why := "its manifest is missing"
	if err == nil {
		why = firstDifference(string(want), got)
	} else if !errors.Is(err, os.ErrNotExist) {
		why = err.Error()
	}
	if c.Log != nil {
		fmt.Fprintf(c.Log, "the cached files in %s were changed since they were extracted (%s): extracting them again\n", dir, why)
	}
	c.discard(dir)
	return false
}

// discard moves dir aside under a temporary name, then removes it.
func (c *Cache) discard(dir string) {
	if aside, err := atomicfile.MkdirTemp(c.Dir, tempBase); err == nil {
		defer os.RemoveAll(aside)
		if os.Rename(dir, filepath.Join(aside, "old")) == nil {
			return
		}
	}
	os.RemoveAll(dir)
}

func (c *Cache) keep() int {
	if c.Keep <= 0 {
		return 8
	}
	return c.Keep
}
