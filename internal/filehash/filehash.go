package filehash

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// Of reads r to its end and returns the hex sha256 of its bytes and their
// count. Reads are buffered (1 MiB), so a file is read in few system calls.
func Of(r io.Reader) (sum string, size int64, err error) {
	h := sha256.New()
	size, err = io.Copy(h, bufio.NewReaderSize(r, 1<<20))
	if err != nil {
		return "", size, err
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// File returns the hex sha256 of the file at path and its size.
func File(path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("hashing %s: %w", path, err)
	}
	defer f.Close()
	sum, size, err = Of(f)
	if err != nil {
		return "", size, fmt.Errorf("hashing %s: %w", path, err)
	}
	return sum, size, nil
}
