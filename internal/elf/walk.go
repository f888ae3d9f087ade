package elf

import (
	"github.com/berth-dev/berth/internal/chroot"
)

// Link is one symlink an image must reproduce: the in-image path of the link
// and its target exactly as stored (relative or absolute).
type Link = chroot.Link

// hostPath maps an absolute in-image path to the host path under root.
func hostPath(root, p string) string {
	return chroot.HostPath(root, p)
}

// walk resolves the absolute path p inside root as the kernel would inside a
// chroot (see chroot.Walk): the final path and every symlink crossed.
func walk(root, p string) (string, []Link, error) {
	return chroot.Walk(root, p)
}

// regularFile resolves p inside root and requires a regular file at the end.
func regularFile(root, p string) (string, []Link, error) {
	real, _, _, links, err := chroot.Regular(root, p)
	return real, links, err
}
