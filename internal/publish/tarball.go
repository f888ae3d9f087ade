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
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Tarball writes a docker-archive (`docker save` format, for `docker load`)
// to path, atomically: a temporary file next to it is written, synced and
// renamed. An existing file is only replaced if it is a tar archive.
func Tarball(path string, opts ...Option) Publisher {
	return &tarballPub{path: path, opts: makeOptions(opts)}
}

type tarballPub struct {
	path string
	opts options
}

func (p *tarballPub) Publish(ctx context.Context, img v1.Image, tags []name.Tag) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, fmt.Errorf("the docker-archive %s needs at least one tag, because `docker load` names images by tag; give a tag", p.path)
	}
	if err := p.Check(); err != nil {
		return nil, err
	}
	d, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing image digest: %w", err)
	}
	lines := make([]string, 0, len(tags))
	for _, t := range tags {
		lines = append(lines, shortRef(t)+"@"+d.String())
	}
	p.opts.logf("writing docker-archive %s", p.path)
	err = atomicfile.WriteFile(p.path, func(w io.Writer) error {
		if err := writeDockerArchive(ctxio.NewWriter(ctx, w), img, tags); err != nil {
			return err
		}
		// Interrupted while writing: the old file stays.
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("writing docker-archive %s: %w", p.path, err)
	}
	return lines, nil
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
