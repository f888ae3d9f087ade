package unpack

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// layerReader reads one layer's compressed stream, hashing it and its
// uncompressed tar as they pass, so that finish can prove both digests.
// mutate.Extract is not used: it ends its tar stream with a valid trailer
// before it reports a read error, so a damaged blob looked complete.
type layerReader struct {
	layer      v1.Layer
	compressed io.ReadCloser
	digest     hash.Hash
	diffID     hash.Hash
	size       int64
	plain      io.Reader // the uncompressed tar, hashed
	closeZ     func()
	tar        *tar.Reader
	stop       func() bool // stops the close on cancel
	closeOnce  sync.Once
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

func openLayer(ctx context.Context, l v1.Layer) (*layerReader, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	r := &layerReader{layer: l, compressed: rc, digest: sha256.New(), diffID: sha256.New(), closeZ: func() {}}
	// A read that blocks (a stalled registry, a blob made on the fly) sees
	// no context: closing the blob on cancel makes it return at once.
	r.stop = context.AfterFunc(ctx, r.closeBlob)
	br := bufio.NewReaderSize(io.TeeReader(rc, writerFunc(func(p []byte) {
		r.digest.Write(p)
		r.size += int64(len(p))
	})), 1<<20)
	head, _ := br.Peek(4) // a short or empty blob is caught by finish
	var z io.Reader = br
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		gz, err := gzip.NewReader(br)
		if err != nil {
			r.close()
			return nil, fmt.Errorf("opening its gzip stream: %w", err)
		}
		z, r.closeZ = gz, func() { gz.Close() }
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			r.close()
			return nil, fmt.Errorf("opening its zstd stream: %w", err)
		}
		z, r.closeZ = zr, zr.Close
	}
	r.plain = io.TeeReader(z, r.diffID)
	r.tar = tar.NewReader(r.plain)
	return r, nil
}

// finish reads both streams to their real ends, checking every error, and
// compares what was read with the layer's digest, size and diff ID.
func (r *layerReader) finish() error {
	if _, err := io.Copy(io.Discard, r.plain); err != nil {
		return fmt.Errorf("reading past its tar stream: %w", err)
	}
	if _, err := io.Copy(io.Discard, io.TeeReader(r.compressed, writerFunc(func(p []byte) {
		r.digest.Write(p)
		r.size += int64(len(p))
	}))); err != nil {
		return err
	}
	want, err := r.layer.Digest()
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(r.digest.Sum(nil)); got != want.Hex || want.Algorithm != "sha256" {
		return fmt.Errorf("its %d bytes hash to sha256:%s, not to its digest %s: the blob is damaged, truncated or was changed; pull it again, or repair the registry or layout", r.size, got, want)
	}
	if size, err := r.layer.Size(); err == nil && size != r.size {
		return fmt.Errorf("it has %d bytes, its manifest says %d", r.size, size)
	}
	diffID, err := r.layer.DiffID()
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(r.diffID.Sum(nil)); got != diffID.Hex {
		return fmt.Errorf("its uncompressed tar hashes to sha256:%s, not to its diff ID %s in the image config", got, diffID)
	}
	return nil
}

func (r *layerReader) close() {
	r.stop()
	r.closeZ()
	r.closeBlob()
}

// closeBlob closes the compressed stream once, from close or on cancel.
func (r *layerReader) closeBlob() { r.closeOnce.Do(func() { r.compressed.Close() }) }

type writerFunc func(p []byte)

func (w writerFunc) Write(p []byte) (int, error) {
	w(p)
	return len(p), nil
}
