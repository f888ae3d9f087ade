package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Meter shows the bytes of a long step done so far (a push, a layer's
// compression). On a terminal it redraws one line in place, at most every
// 100 ms; otherwise (CI logs) it writes a plain line at most every
// plainEvery, so that logs stay short and readable.
type Meter struct {
	w       io.Writer
	label   string
	tty     bool
	start   time.Time
	quiet   time.Duration // nothing is shown before start+quiet
	mu      sync.Mutex
	last    time.Time
	printed bool
}

const plainEvery = 5 * time.Second

// New shows the progress of label on w from its first Update.
func New(w io.Writer, label string) *Meter {
	return &Meter{w: w, label: label, tty: isTerminal(w), start: time.Now()}
}

// After is New for a step that is often short: nothing is shown unless it
// is still running after quiet, so quick steps print no line.
func After(w io.Writer, label string, quiet time.Duration) *Meter {
	m := New(w, label)
	m.quiet = quiet
	return m
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}

// Update records done of total bytes.
func (m *Meter) Update(done, total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if now.Sub(m.start) < m.quiet {
		return
	}
	every := plainEvery
	if m.tty {
		every = 100 * time.Millisecond
	}
	if now.Sub(m.last) < every {
		return
	}
	m.last = now
	m.show(done, total, now)
}

// Done ends the display; a terminal's line is finished with a newline.
func (m *Meter) Done(done, total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tty && m.printed {
		m.show(done, total, time.Now())
		fmt.Fprintln(m.w)
	}
}

func (m *Meter) show(done, total int64, now time.Time) {
	secs := now.Sub(m.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(done) / secs / 1e6
	}
	line := fmt.Sprintf("%s: %.1f / %.1f MB (%.1f MB/s)", m.label, float64(done)/1e6, float64(total)/1e6, rate)
	if m.tty {
		fmt.Fprintf(m.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(m.w, line)
	}
	m.printed = true
}
