package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// tempPattern is the os.CreateTemp/MkdirTemp pattern of a temporary
// sibling of base: the prefix, base and this process's id, so that a later
// run can tell the leftovers of a dead process from a live one's work.
func tempPattern(base string) string {
	return fmt.Sprintf("%s%s-%d-", TempPrefix, base, os.Getpid())
}

// CreateTemp creates a temporary file for base in dir (which must exist),
// after removing what dead processes left for base there.
func CreateTemp(dir, base string) (*os.File, error) {
	CleanStale(dir, base)
	return os.CreateTemp(dir, tempPattern(base))
}

// MkdirTemp creates a private (0700) temporary directory for base in dir
// (which must exist), named so that CleanStale removes it once this
// process is gone, after removing what dead processes left for base there.
func MkdirTemp(dir, base string) (string, error) {
	CleanStale(dir, base)
	return os.MkdirTemp(dir, tempPattern(base))
}

// CleanStale removes, in dir, the temporary files and directories that
// berth processes no longer running left for base: a build killed with
// SIGKILL, or a second Ctrl-C, cannot remove its own. Another process's
// work in progress is left alone. Errors are ignored: the leftovers cost
// disk, not correctness.
func CleanStale(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := TempPrefix + base + "-"
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		// <pid>-<random digits>, and ".old" for a directory swapped aside;
		// anything else is another base's (base "app" vs "app-5").
		pidText, random, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if _, rerr := strconv.ParseUint(strings.TrimSuffix(random, ".old"), 10, 64); !ok || err != nil || rerr != nil || pid <= 0 || alive(pid) {
			continue
		}
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// alive reports whether a process with this id exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Prune keeps the keep most recently modified files (or directories)
// matching pattern (a filepath.Glob pattern) and removes the others: a
// cache's bound. Errors are ignored: a file left over costs disk, not
// correctness.
func Prune(pattern string, keep int) {
	matches, _ := filepath.Glob(pattern)
	if len(matches) <= keep {
		return
	}
	mtime := map[string]time.Time{}
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil {
			mtime[m] = info.ModTime()
		}
	}
	sort.Slice(matches, func(i, j int) bool { return mtime[matches[i]].After(mtime[matches[j]]) })
	for _, m := range matches[keep:] {
		os.RemoveAll(m)
	}
}
