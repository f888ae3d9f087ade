// Package filehash is berth's one file hasher: the sha256 of a file's or a
// stream's bytes, hex-encoded, with their size.
package filehash
