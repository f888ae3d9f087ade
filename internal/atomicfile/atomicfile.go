// Package atomicfile writes files and directories so that a reader sees the
// old content or the new, never a part: temporary siblings, sync, rename.
package atomicfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// tempPrefix starts the name of every temporary file or directory berth
// creates next to an output, so that leftovers are recognisable.
const TempPrefix = ".berth-tmp-"

// ReplaceDir builds a new directory with fill, in a temporary directory next
// to dir, then puts it in place of dir (created or replaced). On error
// nothing is left behind and dir is untouched. When durable, the files and
// the swap are flushed to disk first (SyncTree, then the parent directory),
// so that a crash cannot leave a complete-looking but empty output; a
// directory that is consumed at once (a Docker build's staging directory,
// snapshotted when the step ends) skips that cost. ctx is checked last,
// after the flush and just before the swap: an interrupted build leaves
// the old directory, never a new one it then calls failed.
func ReplaceDir(ctx context.Context, dir string, durable bool, fill func(tmp string) error) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	CleanStale(parent, filepath.Base(dir))
	tmp, err := os.MkdirTemp(parent, tempPattern(filepath.Base(dir)))
	if err != nil {
		return err
	}
	// After a swap tmp holds the old directory: removing it is the cleanup.
	defer os.RemoveAll(tmp)
	if err := fill(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if durable {
		if err := SyncTree(tmp); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	swap := exchange
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		swap = os.Rename
	}
	if err := swap(tmp, dir); err != nil || !durable {
		return err
	}
	return syncDir(parent)
}

// swapAside replaces dir by tmp with two renames, for systems or file
// systems without an atomic exchange; dir is briefly absent. On return tmp
// names the old directory.
func swapAside(tmp, dir string) error {
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("%w (and restoring the old %s from %s failed: %v)", err, dir, old, rerr)
		}
		return err
	}
	return os.Rename(old, tmp)
}

// SyncTree flushes every file under root to disk before it is renamed into
// place, so that a crash cannot leave a complete-looking but empty output.
// The files are flushed at once, a few at a time: the file system commits
// them together, instead of one journal commit per file.
func SyncTree(root string) error {
	var paths []string
	if err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	}); err != nil {
		return err
	}
	errs := make([]error, len(paths))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = syncFile(p)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	// Some file systems cannot sync directories; the rename is done anyway.
	_ = f.Sync()
	return nil
}

// WriteFile writes path atomically with write: into a temporary file next to
// it (parent directories created), synced, made 0644 and renamed over path.
// On error neither path nor a temporary file is changed or left behind;
// ctx is checked after the sync, just before the rename.
func WriteFile(ctx context.Context, path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := CreateTemp(dir, filepath.Base(path))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// What Replaceable finds at a path berth must not replace.
var (
	ErrNotRegular = errors.New("not a regular file (a symbolic link or a directory)")
	ErrForeign    = errors.New("a file berth did not write")
)

// Replaceable says whether an output may be written at path: nil when
// nothing is there or a regular file that ours recognises as berth's own
// earlier output; ErrNotRegular or ErrForeign when something else is (each
// caller says it in its own words), or the error that stopped the check.
func Replaceable(path string, ours func(data []byte) bool) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return ErrNotRegular
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !ours(data) {
		return ErrForeign
	}
	return nil
}

// ErrNoDir is what CheckOutput finds when the output's directory is missing.
var ErrNoDir = errors.New("its directory does not exist")

// Refusal is CheckOutput's refusal of a path, in the user's words; it
// wraps ErrNoDir, ErrNotRegular or ErrForeign. Callers treat it as an
// error in the user's input.
type Refusal struct {
	msg  string
	kind error
}

func (r *Refusal) Error() string { return r.msg }
func (r *Refusal) Unwrap() error { return r.kind }

// CheckOutput says whether the file output of flag (a document berth
// writes, what as ours recognises it) may be written at path: its
// directory exists, and nothing is there but an earlier document of its
// kind. A refusal is a *Refusal; another error is one that stopped the
// check.
func CheckOutput(flag, path, what string, ours func(data []byte) bool) error {
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return &Refusal{fmt.Sprintf("%s %s: its directory %s does not exist; create it, or give a path in an existing directory", flag, path, filepath.Dir(path)), ErrNoDir}
	}
	err := Replaceable(path, ours)
	switch {
	case errors.Is(err, ErrNotRegular):
		return &Refusal{fmt.Sprintf("%s %s exists and is not a regular file (a symbolic link or a directory); give a new path", flag, path), err}
	case errors.Is(err, ErrForeign):
		return &Refusal{fmt.Sprintf("%s %s exists and is not %s; berth replaces only an earlier one there: give another path, or remove the file if it is yours to lose", flag, path, what), err}
	case err != nil:
		return fmt.Errorf("checking %s %s: %w", flag, path, err)
	}
	return nil
}
