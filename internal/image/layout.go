package image

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
)

// fromLayout reads the image for platform from an OCI layout directory,
// descending into nested indexes. The same image listed under several tags
// counts once.
func fromLayout(dir string, platform v1.Platform) (v1.Image, error) {
	if dir == "" {
		return nil, fmt.Errorf("base image %q names no directory; write %sDIR", LayoutPrefix, LayoutPrefix)
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w (is it a directory with oci-layout and index.json, as written by `cargo berth build` or `skopeo copy ... oci:DIR`?)", dir, err)
	}
	var found []v1.Image
	var seen []string
	if err := collect(idx, platform, map[v1.Hash]bool{}, &found, &seen); err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("OCI layout %s has no image for %s (it holds: %s)", dir, platformString(&platform), listOrNone(seen))
	default:
		return nil, fmt.Errorf("OCI layout %s has %d images for %s (%s); keep only one in the layout", dir, len(found), platformString(&platform), strings.Join(seen, ", "))
	}
}

func collect(idx v1.ImageIndex, want v1.Platform, done map[v1.Hash]bool, found *[]v1.Image, seen *[]string) error {
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, desc := range im.Manifests {
		if done[desc.Digest] {
			continue
		}
		done[desc.Digest] = true
		switch {
		case desc.MediaType.IsIndex():
			child, err := idx.ImageIndex(desc.Digest)
			if err != nil {
				return err
			}
			if err := collect(child, want, done, found, seen); err != nil {
				return err
			}
		case desc.MediaType.IsImage():
			img, err := idx.Image(desc.Digest)
			if err != nil {
				return err
			}
			p := desc.Platform
			if p == nil {
				if cf, err := partial.ConfigFile(img); err == nil {
					p = cf.Platform()
				}
			}
			*seen = append(*seen, platformString(p)+" "+desc.Digest.String())
			if matches(p, want) {
				*found = append(*found, img)
			}
		}
	}
	return nil
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "no images"
	}
	return strings.Join(s, ", ")
}
