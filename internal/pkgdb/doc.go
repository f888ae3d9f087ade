// Package pkgdb tells which OS package owns a file of a root filesystem (dpkg
// today): the package's status paragraph, its copyright file and the root's
// os-release, so an image can carry the records scanners read.
package pkgdb
