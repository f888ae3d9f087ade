package testenv

import (
	"archive/tar"
	"bytes"
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

// EditTar copies the tar stream r, each entry's data passed through edit
// (which may change the header too; the size is set from what it returns),
// and returns the new archive.
func EditTar(r io.Reader, edit func(h *tar.Header, data []byte) []byte) ([]byte, error) {
	var out bytes.Buffer
	tr, tw := tar.NewReader(r), tar.NewWriter(&out)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		data = edit(h, data)
		h.Size = int64(len(data))
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
