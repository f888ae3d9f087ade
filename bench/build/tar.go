package main

import (
	"archive/tar"
	"errors"
	"io"
)

// tarSizes sums the regular files of a flattened image and picks out one.
func tarSizes(r io.Reader, name string) (one, total int64, err error) {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return one, total, nil
		}
		if err != nil {
			return 0, 0, err
		}
		if h.Typeflag == tar.TypeReg {
			total += h.Size
			if h.Name == name {
				one = h.Size
			}
		}
	}
}
