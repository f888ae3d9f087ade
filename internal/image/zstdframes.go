package image

import (
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// zstdFrame is the size of the input of each zstd frame. A layer is a
// sequence of independent frames (the zstd format allows any number, and
// every decoder reads them as one stream), each compressed on its own
// core: the output depends on zstdFrame and the level only, so the bytes
// are the same whatever the core count. Memory: about 2 x zstdFrame per
// frame in flight (zstdFrames of them).
const (
	zstdFrame  = 2 << 20
	zstdFrames = 3
)

// zstdEncoder compresses whole frames: EncodeAll runs on as many frames at
// once as the encoder has concurrency (its output does not depend on it).
var zstdEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(ZstdLevel), zstd.WithEncoderConcurrency(zstdFrames+1))

// frameBufs recycles the frames' input and output buffers: a layer of any
// size allocates only the few in flight, and the garbage collector has
// little to do (peak memory stays flat).
var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, zstdFrame); return &b }}

func getBuf() []byte  { return (*frameBufs.Get().(*[]byte))[:0] }
func putBuf(b []byte) { frameBufs.Put(&b) }

// frameWriter cuts what it is given into zstdFrame-sized frames,
// compresses up to zstdFrames of them at once and writes them to w in
// order.
type frameWriter struct {
	w       io.Writer
	buf     []byte
	pending chan chan []byte // compressed frames, in order
	done    chan error       // the writer goroutine's result
	frames  int
	err     error
}

func newFrameWriter(w io.Writer) *frameWriter {
	f := &frameWriter{w: w, buf: getBuf(), pending: make(chan chan []byte, zstdFrames), done: make(chan error, 1)}
	go f.drain()
	return f
}

// drain writes the frames in the order they were started; after a write
// error it only empties the queue, so that Close never blocks.
func (f *frameWriter) drain() {
	var err error
	for out := range f.pending {
		frame := <-out
		if err == nil {
			_, err = f.w.Write(frame)
		}
		putBuf(frame)
	}
	f.done <- err
}

func (f *frameWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), zstdFrame-len(f.buf))
		f.buf = append(f.buf, p[:k]...)
		p = p[k:]
		if len(f.buf) == zstdFrame {
			f.flush()
		}
	}
	return n, nil
}

// flush starts compressing the buffered frame; sending to pending blocks
// while zstdFrames frames are in flight.
func (f *frameWriter) flush() {
	in := f.buf
	out := make(chan []byte, 1)
	f.pending <- out
	f.frames++
	go func() {
		out <- zstdEncoder.EncodeAll(in, getBuf())
		putBuf(in)
	}()
	f.buf = getBuf()
}

// Close compresses the last, partial frame (an empty layer still gets one
// frame) and waits for every frame to be written.
func (f *frameWriter) Close() error {
	if f.pending == nil {
		return f.err
	}
	if len(f.buf) > 0 || f.frames == 0 {
		f.flush()
	}
	close(f.pending)
	f.err = <-f.done
	putBuf(f.buf)
	f.pending = nil
	return f.err
}
