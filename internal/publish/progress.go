package publish

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// meter shows the bytes of a push done so far. On a terminal it redraws one
// line in place, at most every 100 ms; otherwise (CI logs) it writes a plain
// line at most every plainEvery, so that logs stay short and readable.
type meter struct {
	w       io.Writer
	label   string
	tty     bool
	start   time.Time
	mu      sync.Mutex
	last    time.Time
	printed bool
}

const plainEvery = 5 * time.Second

func newMeter(w io.Writer, label string) *meter {
	return &meter{w: w, label: label, tty: isTerminal(w), start: time.Now()}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// update records done of total bytes.
func (m *meter) update(done, total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
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

// done ends the display; a terminal's line is finished with a newline.
func (m *meter) done(done, total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tty && m.printed {
		m.show(done, total, time.Now())
		fmt.Fprintln(m.w)
	}
}

func (m *meter) show(done, total int64, now time.Time) {
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
