package atomicfile

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange atomically swaps tmp and dir (renameat2 RENAME_EXCHANGE), so dir
// never disappears; it falls back to two renames where that is unsupported.
func exchange(tmp, dir string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		return swapAside(tmp, dir)
	}
	return err
}
