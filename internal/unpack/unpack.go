package unpack

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultLimit bounds what one extraction writes: file bytes plus 512 per
// entry, so that an image cannot fill the disk through berth. The runtime
// files berth takes (libraries, ld.so.conf, CA bundle) of even large images
// stay far below it.
const DefaultLimit int64 = 4 << 30

// ErrLimit is wrapped by the error of an extraction that passed its limit.
var ErrLimit = errors.New("extraction size limit reached")

// Options says what to extract.
type Options struct {
	// Want chooses the entries to extract by cleaned absolute name and
	// type. A hard link is offered as tar.TypeReg (it is a regular file).
	// Directories leading to a chosen entry are made whether or not they
	// are chosen. nil chooses everything.
	Want func(name string, typ byte) bool
	// Limit is the most an extraction writes (see DefaultLimit); 0 means
	// DefaultLimit.
	Limit int64
}

// Extract writes the chosen entries of img's layers, flattened (later
// layers win, whiteouts remove), beneath root, an existing directory. No
// symlink is followed while writing: an entry under a link is an error,
// whatever the names say. Each layer is read to its real end and must
// match its digest and diff ID. On error, what was written stays in root:
// the caller removes root (Cache does).
func Extract(ctx context.Context, img v1.Image, root string, opts Options) error {
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("listing the image's layers: %w", err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	x := &extractor{ctx: ctx, root: r, want: opts.Want, limit: opts.Limit}
	if x.limit <= 0 {
		x.limit = DefaultLimit
	}
	for i, l := range layers {
		if err := x.layer(l); err != nil {
			if ctx.Err() != nil { // a read failed because the blob was closed on cancel
				err = ctx.Err()
			}
			d, _ := l.Digest()
			return fmt.Errorf("layer %d (%s): %w", i+1, d, err)
		}
	}
	return nil
}

func (x *extractor) layer(l v1.Layer) error {
	lr, err := openLayer(x.ctx, l)
	if err != nil {
		return err
	}
	defer lr.close()
	x.current = map[string]bool{}
	for {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		h, err := lr.tar.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading its tar stream: %w", err)
		}
		if err := x.entry(h, lr.tar); err != nil {
			return err
		}
	}
	return lr.finish()
}

// entry applies one tar entry: a whiteout, or a file that replaces what
// lower layers had at its name and is written if chosen.
func (x *extractor) entry(h *tar.Header, r io.Reader) error {
	name := path.Clean("/" + h.Name)
	if name == "/" {
		return nil
	}
	dir, base := path.Split(name)
	dir = path.Clean(dir)
	if base == opaqueWhiteout {
		return x.opaque(dir)
	}
	if hidden, ok := cutWhiteout(base); ok {
		return x.whiteout(path.Join(dir, hidden))
	}
	return x.file(name, h, r)
}

const (
	whiteoutPrefix = ".wh."
	opaqueWhiteout = ".wh..wh..opq"
)

func cutWhiteout(base string) (string, bool) {
	if len(base) > len(whiteoutPrefix) && base[:len(whiteoutPrefix)] == whiteoutPrefix {
		return base[len(whiteoutPrefix):], true
	}
	return "", false
}
