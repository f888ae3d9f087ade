package pkgdb

import (
	"os"

	"github.com/berth-dev/berth/internal/chroot"
)

// resolve returns the canonical path of p inside root, following symlinks
// the way the root's own programs see them (chroot.Walk): a sysroot whose
// /lib is a link to /usr/lib thus resolves inside the sysroot, never on the
// build machine.
func resolve(root, p string) (string, error) {
	return chroot.Resolve(root, p)
}

// hostPath is where p inside root is on the build machine.
func hostPath(root, p string) string {
	return chroot.HostPath(root, p)
}

// readIn reads the file p inside root, following its symlinks inside root.
func readIn(root, p string) ([]byte, error) {
	real, err := resolve(root, p)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(hostPath(root, real))
}
