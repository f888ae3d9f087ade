package publish

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// archiveImage is one image of a docker-archive and its tags.
type archiveImage struct {
	img  v1.Image
	tags []name.Tag
}

// writeDockerArchive writes images as a `docker save` archive naming each
// by its tags, in their order. ggcr's tarball.MultiRefWrite orders the tags
// of one image by map iteration, so the same image and tags could give
// different bytes; this writer's output depends on its input alone. The
// layout is the same: each config as sha256:<hex>, each layer as
// <hex>.tar.gz (once, though images share it), then manifest.json; every
// entry 0644 with no timestamp.
func writeDockerArchive(w io.Writer, images []archiveImage) error {
	tw := tar.NewWriter(w)
	var entries []archiveManifest
	written := map[string]bool{}
	for i, a := range images {
		entry, err := writeArchiveImage(tw, a, i == 0, written)
		if err != nil {
			return err
		}
		entries = append(entries, entry)
	}
	manifest, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	if err := writeEntry(tw, "manifest.json", int64(len(manifest)), func(w io.Writer) error { _, err := w.Write(manifest); return err }); err != nil {
		return err
	}
	return tw.Close()
}

// writeArchiveImage writes one image's config and the layers not written
// yet; the first entry of the archive carries berth's mark.
func writeArchiveImage(tw *tar.Writer, a archiveImage, first bool, written map[string]bool) (archiveManifest, error) {
	img, tags := a.img, a.tags
	cfgName, err := img.ConfigName()
	entry := archiveManifest{Config: cfgName.String()}
	if err != nil {
		return entry, fmt.Errorf("reading image config name: %w", err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return entry, fmt.Errorf("reading image config: %w", err)
	}
	// The first entry carries berth's mark (a PAX record, which docker load
	// ignores), so that a later build knows the file is its to replace.
	hdr := &tar.Header{Name: cfgName.String(), Size: int64(len(cfg)), Typeflag: tar.TypeReg, Mode: 0o644}
	if first {
		hdr.PAXRecords = map[string]string{archiveMark: "docker-archive"}
	}
	if err := writeHeaderBody(tw, hdr, func(w io.Writer) error { _, err := w.Write(cfg); return err }); err != nil {
		return entry, err
	}
	layers, err := img.Layers()
	if err != nil {
		return entry, fmt.Errorf("reading image layers: %w", err)
	}
	for _, t := range tags {
		entry.RepoTags = append(entry.RepoTags, shortRef(t))
	}
	for _, l := range layers {
		file, err := writeLayer(tw, l, written)
		if err != nil {
			return entry, err
		}
		entry.Layers = append(entry.Layers, file)
	}
	return entry, nil
}

// archiveManifest is one entry of a docker-archive's manifest.json.
type archiveManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

func writeLayer(tw *tar.Writer, l v1.Layer, written map[string]bool) (string, error) {
	d, err := l.Digest()
	if err != nil {
		return "", fmt.Errorf("reading layer digest: %w", err)
	}
	file := d.Hex + ".tar.gz"
	if written[file] {
		return file, nil
	}
	written[file] = true
	size, err := l.Size()
	if err != nil {
		return "", fmt.Errorf("reading layer size: %w", err)
	}
	return file, writeEntry(tw, file, size, func(w io.Writer) error {
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = io.Copy(w, rc)
		return err
	})
}

func writeEntry(tw *tar.Writer, name string, size int64, body func(io.Writer) error) error {
	return writeHeaderBody(tw, &tar.Header{Name: name, Size: size, Typeflag: tar.TypeReg, Mode: 0o644}, body)
}

func writeHeaderBody(tw *tar.Writer, hdr *tar.Header, body func(io.Writer) error) error {
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing %s: %w", hdr.Name, err)
	}
	if err := body(tw); err != nil {
		return fmt.Errorf("writing %s: %w", hdr.Name, err)
	}
	return nil
}

// archiveMark is the PAX record on the first entry of every docker-archive
// berth writes.
const archiveMark = "BERTH.archive"
