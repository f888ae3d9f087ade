package cargo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/berth-dev/berth/internal/timing"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Runner runs cargo. The zero value runs "cargo" from PATH with the current
// environment and sends cargo's own output to os.Stderr.
type Runner struct {
	// Cargo is the cargo executable; "" means $CARGO, else "cargo".
	Cargo string
	// Env is the environment; nil means os.Environ().
	Env []string
	// Stderr receives cargo's diagnostics and progress; nil means os.Stderr.
	Stderr io.Writer
}

// Error is a failed cargo invocation: its argv and the end of its stderr.
type Error struct {
	Args   []string
	Dir    string
	Stderr string
	Err    error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("cargo %s failed: %v", strings.Join(e.Args, " "), e.Err)
	if e.Dir != "" {
		msg += " (in " + e.Dir + ")"
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += "\n" + s
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

func (r *Runner) command(ctx context.Context, dir string, args []string) *exec.Cmd {
	bin := r.Cargo
	if bin == "" {
		bin = os.Getenv("CARGO")
	}
	if bin == "" {
		bin = "cargo"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = r.Env
	killGroupOnCancel(cmd)
	return cmd
}

func (r *Runner) stderr() io.Writer {
	if r.Stderr == nil {
		return os.Stderr
	}
	return r.Stderr
}

// Run runs cargo with args in dir, streaming its output to r.Stderr. A failure
// is an *Error that carries the argv and the tail of cargo's stderr.
func (r *Runner) Run(ctx context.Context, dir string, args ...string) error {
	cmd := r.command(ctx, dir, args)
	tail := &tailBuffer{max: 8 << 10}
	// cargo's stdout and stderr are copied by two goroutines.
	out := timing.Serialized(r.stderr())
	cmd.Stdout = out
	cmd.Stderr = io.MultiWriter(out, tail)
	if err := cmd.Run(); err != nil {
		return &Error{Args: args, Dir: dir, Stderr: tail.String(), Err: startErr(err)}
	}
	return nil
}

// Output runs cargo with args in dir and returns its stdout; stderr is
// captured for the error only.
func (r *Runner) Output(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := r.command(ctx, dir, args)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &Error{Args: args, Dir: dir, Stderr: stderr.String(), Err: startErr(err)}
	}
	return stdout.Bytes(), nil
}

// Messages runs cargo with args (which must ask for a JSON message format),
// streaming its human output to r.Stderr, and calls fn for every JSON message
// on stdout.
func (r *Runner) Messages(ctx context.Context, dir string, args []string, fn func(Message) error) error {
	cmd := r.command(ctx, dir, args)
	tail := &tailBuffer{max: 8 << 10}
	cmd.Stderr = io.MultiWriter(r.stderr(), tail)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("starting cargo: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return &Error{Args: args, Dir: dir, Err: startErr(err)}
	}
	var fnErr error
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var m Message
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue // cargo may print non-JSON lines (e.g. from build scripts)
		}
		if fnErr == nil {
			fnErr = fn(m)
		}
	}
	scanErr := sc.Err()
	if err := cmd.Wait(); err != nil {
		return &Error{Args: args, Dir: dir, Stderr: tail.String(), Err: startErr(err)}
	}
	if scanErr != nil {
		return fmt.Errorf("reading cargo's messages: %w", scanErr)
	}
	return fnErr
}

func startErr(err error) error {
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("%w: install Rust with rustup or set $CARGO", err)
	}
	return err
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }
