//go:build darwin || freebsd || netbsd || openbsd

package progress

import "golang.org/x/sys/unix"

// ioctlGetTermios reads a terminal's settings (BSD's name for Linux's
// TCGETS); it fails on anything else.
const ioctlGetTermios = unix.TIOCGETA
