// Package chroot resolves paths inside a root directory as the kernel would
// inside a chroot, never through the build machine's own files.
package chroot
