package ctxio

import (
	"context"
	"io"
)

// NewReader returns r failing with ctx's error once ctx is done, checked
// before every read (at most 32 KiB with io.Copy): cancelling stops a copy
// within a chunk, not at the end of a large file. It reports the bytes read
// to count, when not nil (progress).
func NewReader(ctx context.Context, r io.Reader, count func(int64)) io.Reader {
	return reader{ctx, r, count}
}

type reader struct {
	ctx   context.Context
	r     io.Reader
	count func(int64)
}

func (c reader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if c.count != nil && n > 0 {
		c.count(int64(n))
	}
	return n, err
}

// NewWriter returns w failing with ctx's error once ctx is done, checked
// before every write.
func NewWriter(ctx context.Context, w io.Writer) io.Writer {
	return writer{ctx, w}
}

type writer struct {
	ctx context.Context
	w   io.Writer
}

func (c writer) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
