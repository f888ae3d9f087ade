package rootfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/fileset"
)

// WriteDir writes files into a new directory dir, atomically: they are staged
// in a sibling temporary directory that is renamed into place, so a failure
// leaves nothing at dir. dir must not exist, or be an empty directory. It
// does not wait for the disk: stage's output is copied at once by the next
// Docker step (flushing cost every Docker build about 10 ms).
func WriteDir(ctx context.Context, dir string, files []fileset.File) error {
	if err := CheckDir(dir); err != nil {
		return err
	}
	err := atomicfile.ReplaceDir(ctx, dir, false, func(tmp string) error {
		// Directories get their final modes last, so a read-only directory
		// does not stop its own files from being written.
		var dirs []fileset.File
		for _, f := range files {
			if f.IsDir() {
				dirs = append(dirs, f)
			}
			if err := writeOne(tmp, f); err != nil {
				return fmt.Errorf("staging %s: %w", f.Path, err)
			}
		}
		for _, d := range dirs {
			if err := os.Chmod(filepath.Join(tmp, d.Path), osMode(d.Mode)); err != nil {
				return err
			}
		}
		return chownAll(tmp, files)
	})
	if err != nil {
		return fmt.Errorf("staging into %s: %w", dir, err)
	}
	return nil
}

// chownAll gives the entries that are not root's (the nonroot home) their
// owner. Only root can: a Docker builder stage runs stage as root, and
// COPY --from keeps the owner; elsewhere the files stay the caller's.
func chownAll(root string, files []fileset.File) error {
	if os.Geteuid() != 0 {
		return nil
	}
	for _, f := range files {
		if f.UID == 0 && f.GID == 0 {
			continue
		}
		if err := os.Lchown(filepath.Join(root, f.Path), f.UID, f.GID); err != nil {
			return fmt.Errorf("staging %s: %w", f.Path, err)
		}
	}
	return nil
}

// CheckDir reports an error unless dir is absent or an empty directory:
// staging never replaces a file, a symbolic link or a directory that holds
// anything, since none of those is berth's to lose.
func CheckDir(dir string) error {
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("staging into %s: %w", dir, err)
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("staging into %s: it is a symbolic link, and berth does not replace or write through one; give a path that does not exist yet", dir)
	case !info.IsDir():
		return fmt.Errorf("staging into %s: it is an existing file, not a directory; give a path that does not exist yet (berth never replaces a file it did not create)", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("staging into %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("staging into %s: the directory is not empty; remove it or choose another", dir)
	}
	return nil
}

func writeOne(root string, f fileset.File) error {
	dst := filepath.Join(root, f.Path)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	switch {
	case f.IsDir():
		return os.MkdirAll(dst, 0o755)
	case f.IsSymlink():
		return os.Symlink(f.Link, dst)
	case f.Source != "":
		return copyFile(f.Source, dst, f.Mode.Perm())
	default:
		return os.WriteFile(dst, f.Data, f.Mode.Perm())
	}
}

func copyFile(src, dst string, perm fs.FileMode) error {
	if cloneFile(src, dst, perm) {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, perm)
}

// osMode turns a fileset mode into one os.Chmod understands, sticky bit kept.
func osMode(m fs.FileMode) fs.FileMode {
	return m & (fs.ModePerm | fs.ModeSticky | fs.ModeSetuid | fs.ModeSetgid)
}
