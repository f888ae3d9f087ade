package pipeline

import (
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/cachedir"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/stamp"
)

// resolveCache finds where berth keeps what it can rebuild (layers, crate
// lists, runtime roots), once per plan: $BERTH_CACHE_DIR, else the user's
// cache directory; "" when BERTH_CACHE_DIR=off disables it. A directory
// another user could write into is refused before anything is built:
// what it holds goes into images.
func (p *Plan) resolveCache() error {
	dir, err := cachedir.Resolve(os.Getenv)
	if err != nil {
		return &InputError{err}
	}
	p.cache = dir
	return nil
}

// layerCache keeps compressed layers between builds.
func (p *Plan) layerCache() *image.Cache {
	if p.cache != "" {
		return &image.Cache{Dir: filepath.Join(p.cache, "layers")}
	}
	return nil
}

// fileStamps remembers the digests of unchanged host files.
func (p *Plan) fileStamps() stamp.Store {
	if p.cache != "" {
		return stamp.Store{Dir: filepath.Join(p.cache, "sums")}
	}
	return stamp.Store{}
}

// crateCache keeps the crate lists of builds between builds.
func (p *Plan) crateCache() *CrateCache {
	if p.cache != "" {
		return &CrateCache{Dir: filepath.Join(p.cache, "crates")}
	}
	return nil
}

// runtimeCache is where the runtime files of --runtime-from images are
// kept: beside the layer cache; "" (no cache) extracts them into a private
// temporary directory removed after the build.
func (p *Plan) runtimeCache() string {
	if p.cache != "" {
		return filepath.Join(p.cache, "runtime")
	}
	return ""
}
