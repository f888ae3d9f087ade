package timing

import (
	"io"
	"os"
	"sync"
)

// Serialized makes w safe for writers that write at once (os/exec's copies
// of cargo's stdout and stderr, --timings lines from another goroutine):
// a file takes them as they come and is returned as it is, so that cargo,
// given its descriptor, still sees a terminal; any other writer gets one
// write at a time. A writer Serialized already gave is returned as it is.
func Serialized(w io.Writer) io.Writer {
	switch w.(type) {
	case *os.File, *syncWriter:
		return w
	}
	return &syncWriter{w: w}
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
