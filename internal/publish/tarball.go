package publish

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
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
	if err := checkTarTarget(p.path); err != nil {
		return nil, err
	}
	d, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing image digest: %w", err)
	}
	refs := make(map[name.Reference]v1.Image, len(tags))
	lines := make([]string, 0, len(tags))
	for _, t := range tags {
		refs[t] = img
		lines = append(lines, shortRef(t)+"@"+d.String())
	}
	p.opts.logf("writing docker-archive %s", p.path)
	err = replaceFile(p.path, func(w io.Writer) error { return tarball.MultiRefWrite(refs, w) })
	if err != nil {
		return nil, fmt.Errorf("writing docker-archive %s: %w", p.path, err)
	}
	return lines, nil
}

// checkTarTarget refuses to overwrite anything but a tar archive.
func checkTarTarget(path string) error {
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
	return nil
}

// replaceFile writes path atomically with write: on error neither path nor
// a temporary file is changed or left behind.
func replaceFile(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tempPrefix+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}
