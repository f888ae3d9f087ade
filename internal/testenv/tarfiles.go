package testenv

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"strings"
)

// TarFiles reads a tar stream (an image layer, a flattened image, a
// `docker export`) and returns each entry's path, without leading "/" or
// trailing "/", with its size (0 for directories and links).
func TarFiles(r io.Reader) (map[string]int64, error) {
	files := map[string]int64{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		name := strings.Trim(h.Name, "/")
		if name == "" || name == "." {
			continue
		}
		files[name] = h.Size
	}
}
