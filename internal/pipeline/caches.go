package pipeline

import (
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/stamp"
)

// cacheDir is where berth keeps what it can rebuild (layers, crate lists,
// runtime roots): $BERTH_CACHE_DIR, else the user's cache directory; ""
// when BERTH_CACHE_DIR=off disables it.
func cacheDir() string {
	dir := os.Getenv("BERTH_CACHE_DIR")
	if dir == "off" {
		return ""
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(base, "berth")
	}
	return dir
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
// kept: beside the layer cache, else under the temporary directory.
func runtimeCache() string {
	if dir := cacheDir(); dir != "" {
		return filepath.Join(dir, "runtime")
	}
	return ""
}
