package timing

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Recorder writes one line per finished span. Spans may overlap (cargo
// metadata runs beside cargo build), so each line says when it started.
type Recorder struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	now   func() time.Time
}

// New records into w, times counted from now.
func New(w io.Writer) *Recorder {
	return &Recorder{w: w, start: time.Now(), now: time.Now}
}

type key struct{}

// With returns ctx carrying r; spans started under it are recorded.
func With(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, key{}, r)
}

// Start begins the span what. The returned function ends it: with a
// Recorder in ctx it prints "timing: <duration> <what> (from +<start>)";
// without one it does nothing, at the cost of a context lookup.
func Start(ctx context.Context, what string) func() {
	r, _ := ctx.Value(key{}).(*Recorder)
	if r == nil {
		return func() {}
	}
	begin := r.now()
	return func() {
		end := r.now()
		r.mu.Lock()
		defer r.mu.Unlock()
		fmt.Fprintf(r.w, "timing: %8.1f ms  %-34s (from +%.1f ms)\n",
			ms(end.Sub(begin)), what, ms(begin.Sub(r.start)))
	}
}

// Startf is Start with a formatted name.
func Startf(ctx context.Context, format string, args ...any) func() {
	if ctx.Value(key{}) == nil {
		return func() {}
	}
	return Start(ctx, fmt.Sprintf(format, args...))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
