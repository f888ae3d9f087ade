// Package fileset describes the files of an image layer or a staged root
// filesystem, independent of where they end up (a tar layer or a directory).
package fileset
