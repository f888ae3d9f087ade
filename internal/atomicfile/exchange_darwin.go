package atomicfile

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange atomically swaps tmp and dir with renamex_np(RENAME_SWAP), macOS's
// twin of Linux's renameat2(RENAME_EXCHANGE), so dir never disappears; file
// systems without it (not APFS or HFS+: some network and FAT volumes) get
// the two renames of swapAside, where dir is briefly absent.
func exchange(tmp, dir string) error {
	err := unix.RenamexNp(tmp, dir, unix.RENAME_SWAP)
	if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		return swapAside(tmp, dir)
	}
	return err
}
