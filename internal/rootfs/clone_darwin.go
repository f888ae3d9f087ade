package rootfs

import (
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// cloneFile makes dst a clone of src (APFS shares the blocks until either is
// written), with perm; false when it cannot (another file system, another
// volume), and copyFile then copies the bytes.
func cloneFile(src, dst string, perm fs.FileMode) bool {
	if unix.Clonefile(src, dst, unix.CLONE_NOFOLLOW) != nil {
		return false
	}
	if os.Chmod(dst, perm) != nil {
		os.Remove(dst)
		return false
	}
	return true
}
