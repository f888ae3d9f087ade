package image

import (
	"bytes"
	"io"
	"math/rand"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// frameWriter's output is a valid zstd stream of the input, whatever the
// way the input is cut into writes, and the same bytes each time.
func TestFrameWriter(t *testing.T) {
	random := make([]byte, 3*zstdFrame+123)
	rand.New(rand.NewSource(1)).Read(random)
	tests := []struct {
		name  string
		input []byte
		write int // size of each Write call
	}{
		{"empty", nil, 1},
		{"small", []byte("hello, layer"), 5},
		{"exactly one frame", bytes.Repeat([]byte("ab"), zstdFrame/2), 1 << 16},
		{"several frames, odd writes", random, 77777},
		{"several frames, one write", random, len(random)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compress := func() []byte {
				var out bytes.Buffer
				w := newFrameWriter(&out)
				for p := tt.input; len(p) > 0; {
					k := min(tt.write, len(p))
					if _, err := w.Write(p[:k]); err != nil {
						t.Fatal(err)
					}
					p = p[k:]
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				return out.Bytes()
			}
			first, second := compress(), compress()
			if !bytes.Equal(first, second) {
				t.Error("two compressions of the same input differ")
			}
			r, err := zstd.NewReader(bytes.NewReader(first))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.input) {
				t.Errorf("decompressed %d bytes, want the %d written", len(got), len(tt.input))
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

// A write error reaches Close, and Close does not hang on the frames still
// in flight.
func TestFrameWriterError(t *testing.T) {
	w := newFrameWriter(failingWriter{})
	w.Write(make([]byte, 3*zstdFrame))
	if err := w.Close(); err == nil {
		t.Error("Close after a failed write returned nil")
	}
}
