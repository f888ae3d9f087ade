package pipeline

import (
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/cachedir"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/stamp"
)

// cacheDir is where berth keeps what it can rebuild (layers, crate lists,
// runtime roots): $BERTH_CACHE_DIR, else the user's cache directory; ""
// when BERTH_CACHE_DIR=off disables it, or when the directory is refused
// (another user's, or writable by others: checkCacheDir says why).
func cacheDir() string {
	dir, err := cachedir.Resolve(os.Getenv)
	if err != nil {
		return ""
	}
	return dir
}

// checkCacheDir refuses, before anything is built, a cache directory
// another user could write into: what it holds goes into images.
func checkCacheDir() error {
	if _, err := cachedir.Resolve(os.Getenv); err != nil {
		return &InputError{err}
	}
	return nil
}

// layerCache keeps compressed layers between builds.
func layerCache() *image.Cache {
	if dir := cacheDir(); dir != "" {
		return &image.Cache{Dir: filepath.Join(dir, "layers")}
	}
	return nil
}

// fileStamps remembers the digests of unchanged host files.
func fileStamps() stamp.Store {
	if dir := cacheDir(); dir != "" {
		return stamp.Store{Dir: filepath.Join(dir, "sums")}
	}
	return stamp.Store{}
}

// crateCache keeps the crate lists of builds between builds.
func crateCache() *CrateCache {
	if dir := cacheDir(); dir != "" {
		return &CrateCache{Dir: filepath.Join(dir, "crates")}
	}
	return nil
}

// runtimeCache is where the runtime files of --runtime-from images are
// kept: beside the layer cache; "" (no cache) extracts them into a private
// temporary directory removed after the build.
func runtimeCache() string {
	if dir := cacheDir(); dir != "" {
		// v2: the roots hold the zone database and tini too (wantedForRuntime);
		// a root extracted for fewer files must not be reused.
		return filepath.Join(dir, "runtime", "v2")
	}
	return ""
}
