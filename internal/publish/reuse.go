package publish

import (
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/filehash"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// reuseBlobs hard-links into the new layout tmp the blobs of the layout at
// old that idx needs and that still hold their digest: a layer unchanged
// since the last build is neither copied nor flushed to disk again (a
// 200 MB layer costs a hash instead of a copy and an fsync). layout.Write
// then skips them. A blob that is not a regular file, no longer matches
// its digest or cannot be linked is left for layout.Write to write.
func reuseBlobs(old, tmp string, idx v1.ImageIndex) {
	need := map[v1.Hash]bool{}
	if err := blobsOf(idx, need); err != nil {
		return
	}
	for h := range need {
		src := filepath.Join(old, "blobs", h.Algorithm, h.Hex)
		if !holds(src, h) {
			continue
		}
		dir := filepath.Join(tmp, "blobs", h.Algorithm)
		if os.MkdirAll(dir, 0o755) == nil {
			os.Link(src, filepath.Join(dir, h.Hex))
		}
	}
}

// blobsOf adds the digests of every blob idx refers to, nested indexes,
// images and artifacts included, to need.
func blobsOf(idx v1.ImageIndex, need map[v1.Hash]bool) error {
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, d := range m.Manifests {
		need[d.Digest] = true
		if d.MediaType.IsIndex() {
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return err
			}
			if err := blobsOf(child, need); err != nil {
				return err
			}
			continue
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return err
		}
		im, err := img.Manifest()
		if err != nil {
			return err
		}
		need[im.Config.Digest] = true
		for _, l := range im.Layers {
			need[l.Digest] = true
		}
	}
	return nil
}

// holds reports whether path is a regular file whose sha256 is h.
func holds(path string, h v1.Hash) bool {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || h.Algorithm != "sha256" {
		return false
	}
	sum, _, err := filehash.File(path)
	return err == nil && sum == h.Hex
}
