package kubectl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Program is the kubectl berth runs, found on PATH.
const Program = "kubectl"

// Args is kubectl's command line for applying YAML read from stdin, with
// the user's own kubectl flags after berth's.
func Args(flags []string) []string {
	return append([]string{"apply", "-f", "-"}, flags...)
}

// Apply runs `kubectl apply -f - FLAGS...` with yaml on its stdin; kubectl's
// output goes to stdout and stderr. A failure carries the command line and
// kubectl's last lines of stderr.
func Apply(ctx context.Context, yaml []byte, flags []string, stdout, stderr io.Writer) error {
	path, err := exec.LookPath(Program)
	if err != nil {
		return fmt.Errorf("apply runs kubectl, which is not on PATH: install it (Debian: apt-get install kubernetes-client), or run `cargo berth resolve` and apply its output yourself")
	}
	args := Args(flags)
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = bytes.NewReader(yaml)
	cmd.Stdout = stdout
	var tail bytes.Buffer
	cmd.Stderr = io.MultiWriter(stderr, &tail)
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%s %s: exit status %d: %s", Program, strings.Join(args, " "), exit.ExitCode(), lastLines(tail.String(), 3))
	}
	if err != nil {
		return fmt.Errorf("running %s %s: %w", Program, strings.Join(args, " "), err)
	}
	return nil
}

// lastLines are the last n lines of s, joined: kubectl's error (which
// some versions follow with a hint line).
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}
