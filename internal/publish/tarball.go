package publish

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/ctxio"
	"github.com/berth-dev/berth/internal/image"
	"github.com/google/go-containerregistry/pkg/name"
)

// Tarball writes a docker-archive (`docker save` format, for `docker load`)
// to path, atomically: a temporary file next to it is written, synced and
// renamed. An existing file is only replaced if it is a tar archive. A
// docker-archive holds images, not an index: of several platforms it takes
// the one WithPlatform names.
func Tarball(path string, opts ...Option) Sink {
	return &tarballPub{path: path, opts: makeOptions(opts)}
}

type tarballPub struct {
	path string
	opts options
}

func (p *tarballPub) Publish(ctx context.Context, art *image.Artifact, tags []name.Tag) ([]Published, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, fmt.Errorf("the docker-archive %s needs at least one tag, because `docker load` names images by tag; give a tag", p.path)
	}
	img, platform, err := p.opts.one(art, "a docker-archive")
	if err != nil {
		return nil, err
	}
	d, err := img.Image.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing image digest: %w", err)
	}
	// Checked again just before writing: Open checked before the build,
	// and a file put here meanwhile is not replaced.
	if err := p.Check(); err != nil {
		return nil, err
	}
	images := []archiveImage{{img.Image, tags}}
	out := refs(Published{Digest: d, Output: "docker-archive", Dest: p.path, Platform: platform}, tags, shortRef)
	for _, v := range art.Variants {
		vimg, _, err := p.opts.one(v.Artifact, "a docker-archive")
		if err != nil {
			return nil, err
		}
		vd, err := vimg.Image.Digest()
		if err != nil {
			return nil, err
		}
		vtags := variantTags(tags, v.Suffix)
		images = append(images, archiveImage{vimg.Image, vtags})
		out = append(out, refs(Published{Digest: vd, Output: "docker-archive", Dest: p.path, Platform: platform}, vtags, shortRef)...)
	}
	p.opts.logf("writing docker-archive %s", p.path)
	err = atomicfile.WriteFile(ctx, p.path, func(w io.Writer) error {
		return writeDockerArchive(ctxio.NewWriter(ctx, w), images)
	})
	if err != nil {
		return nil, fmt.Errorf("writing docker-archive %s: %w", p.path, err)
	}
	return out, nil
}

// Check refuses a file that is not a tarball to replace.
func (p *tarballPub) Check() error { return checkTarTarget(p.path, p.opts.force) }

// checkTarTarget refuses to overwrite anything but a docker-archive berth
// wrote, or with force any tar archive.
func checkTarTarget(path string, force bool) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking output %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("output %s exists and is not a regular file (%s); remove it or choose another path for the docker-archive", path, describeMode(fi.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("checking output %s: %w", path, err)
	}
	defer f.Close()
	// POSIX tar headers carry "ustar" at offset 257 (GNU tar: "ustar  ").
	head := make([]byte, 262)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head[257:262], []byte("ustar")) {
		return fmt.Errorf("output %s exists and is not a tar archive; refusing to overwrite it: remove it or choose another path", path)
	}
	if force {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("checking output %s: %w", path, err)
	}
	if hdr, err := tar.NewReader(f).Next(); err == nil && hdr.PAXRecords[archiveMark] != "" {
		return nil
	}
	return fmt.Errorf("output %s is a tar archive berth did not write; refusing to overwrite it: pass --force to replace it, or choose another path", path)
}
