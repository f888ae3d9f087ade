package verify

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/berth-dev/berth/internal/image"
)

// A docker-archive (`docker save` format, as --tarball writes it) holds
// each image's config and its compressed layer blobs byte for byte, but not
// its manifest, so not its digest. The manifest is made again from them:
// the config's and each layer's digest and size, read from the archive's
// bytes, under OCI's media types (berth's) or Docker's. Its digest is then
// as exact as a registry's: any changed byte of the config or a layer
// changes it.

// archived is one image of a docker-archive, as each manifest could be.
type archived struct {
	images []v1.Image // the same config and layers: OCI's manifest, then Docker's
}

// manifestTypes are the media types a manifest made again may have.
var manifestTypes = []struct{ manifest, config types.MediaType }{
	{types.OCIManifestSchema1, types.OCIConfigJSON},
	{types.DockerManifestSchema2, types.DockerConfigJSON},
}

// loadArchive reads the images of the docker-archive file.
func loadArchive(file string) ([]archived, error) {
	entries, blobs, err := archiveIndex(file)
	if err != nil {
		return nil, cannot("reading the docker-archive %s: %v", file, err)
	}
	var out []archived
	for _, e := range entries {
		var a archived
		for _, mt := range manifestTypes {
			img, err := archiveImage(file, blobs, e, mt.manifest, mt.config)
			if err != nil {
				return nil, cannot("reading the docker-archive %s: %v", file, err)
			}
			a.images = append(a.images, img)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, cannot("the docker-archive %s holds no image", file)
	}
	return out, nil
}

type archiveEntry struct {
	Config string
	Layers []string
}

// blob is where an archive entry's bytes are in the file.
type blob struct{ offset, size int64 }

// archiveIndex reads manifest.json and where each file of the archive is.
func archiveIndex(file string) ([]archiveEntry, map[string]blob, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	blobs := map[string]blob{}
	var entries []archiveEntry
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, nil, err
		}
		blobs[h.Name] = blob{off, h.Size}
		if h.Name == "manifest.json" {
			if err := json.NewDecoder(io.LimitReader(tr, 16<<20)).Decode(&entries); err != nil {
				return nil, nil, fmt.Errorf("manifest.json: %w", err)
			}
		}
	}
	if entries == nil {
		return nil, nil, fmt.Errorf("no manifest.json: not a docker-archive")
	}
	return entries, blobs, nil
}

// archiveImage is the image of e with a manifest of media type mt made
// from its config and layers.
func archiveImage(file string, blobs map[string]blob, e archiveEntry, mt, configType types.MediaType) (v1.Image, error) {
	cfg, err := readBlob(file, blobs, e.Config)
	if err != nil {
		return nil, err
	}
	ch, size, err := v1.SHA256(bytes.NewReader(cfg))
	if err != nil {
		return nil, err
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: mt, Config: v1.Descriptor{MediaType: configType, Size: size, Digest: ch}}
	a := &archiveImg{config: cfg, layers: map[v1.Hash]v1.Layer{}}
	for _, name := range e.Layers {
		l, err := archiveLayer(file, blobs, name, mt)
		if err != nil {
			return nil, err
		}
		d, err := partial.Descriptor(l)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: d.MediaType, Size: d.Size, Digest: d.Digest})
		a.layers[d.Digest] = l
	}
	if a.manifest, err = json.Marshal(m); err != nil {
		return nil, err
	}
	a.mediaType = mt
	return partial.CompressedToImage(a)
}

// archiveLayer is the layer blob name, with the media type of its
// compression under a manifest of type mt.
func archiveLayer(file string, blobs map[string]blob, name string, mt types.MediaType) (v1.Layer, error) {
	b, ok := blobs[name]
	if !ok {
		return nil, fmt.Errorf("manifest.json names %s, which the archive lacks", name)
	}
	opener := func() (io.ReadCloser, error) {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{io.NewSectionReader(f, b.offset, b.size), f}, nil
	}
	head := make([]byte, 4)
	rc, err := opener()
	if err != nil {
		return nil, err
	}
	_, _ = io.ReadFull(rc, head)
	rc.Close()
	lt := types.OCILayer
	switch {
	case bytes.Equal(head, []byte{0x28, 0xb5, 0x2f, 0xfd}) && mt == types.OCIManifestSchema1:
		lt = types.OCILayerZStd
	case mt == types.DockerManifestSchema2:
		lt = types.DockerLayer
	}
	return tarball.LayerFromOpener(opener, tarball.WithMediaType(lt))
}

func readBlob(file string, blobs map[string]blob, name string) ([]byte, error) {
	b, ok := blobs[name]
	if !ok {
		return nil, fmt.Errorf("manifest.json names %s, which the archive lacks", name)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.NewSectionReader(f, b.offset, b.size))
}

// archiveImg is an image made of an archive's blobs and a manifest made
// again.
type archiveImg struct {
	manifest, config []byte
	mediaType        types.MediaType
	layers           map[v1.Hash]v1.Layer
}

func (a *archiveImg) RawConfigFile() ([]byte, error)      { return a.config, nil }
func (a *archiveImg) MediaType() (types.MediaType, error) { return a.mediaType, nil }
func (a *archiveImg) RawManifest() ([]byte, error)        { return a.manifest, nil }

func (a *archiveImg) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := a.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("the archive's image has no layer %s", h)
}

// sameContent reports whether a docker-archive's image holds exactly the
// content of one of the rebuilt images: the same config (by digest; it
// lists each layer's diff ID) and layers whose uncompressed bytes have
// those diff IDs (computed from the archive's bytes, not read from its
// config). Only the compression may differ, which a docker-archive written
// by `docker save` does not keep. It returns that image's digest.
func sameContent(archived v1.Image, art *image.Artifact) (v1.Hash, bool, error) {
	cfg, err := archived.ConfigName()
	if err != nil {
		return v1.Hash{}, false, err
	}
	for _, img := range art.Images {
		if c, err := img.Image.ConfigName(); err != nil || c != cfg {
			continue
		}
		cf, err := img.Image.ConfigFile()
		if err != nil {
			return v1.Hash{}, false, err
		}
		layers, err := archived.Layers()
		if err != nil || len(layers) != len(cf.RootFS.DiffIDs) {
			return v1.Hash{}, false, err
		}
		for i, l := range layers {
			if d, err := l.DiffID(); err != nil || d != cf.RootFS.DiffIDs[i] {
				return v1.Hash{}, false, err
			}
		}
		d, err := img.Image.Digest()
		return d, err == nil, err
	}
	return v1.Hash{}, false, nil
}
