package e2e

import (
	"archive/tar"
	"errors"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// layerPaths lists the absolute paths of a layer's entries.
func layerPaths(t *testing.T, l v1.Layer) []string {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		name := h.Name
		if name != "" && name[0] != '/' {
			name = "/" + name
		}
		if len(name) > 1 && name[len(name)-1] == '/' {
			name = name[:len(name)-1]
		}
		out = append(out, name)
	}
}
