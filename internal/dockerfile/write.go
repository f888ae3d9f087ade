package dockerfile

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/atomicfile"
)

// Write writes the Dockerfile and the .dockerignore into dir, each
// atomically, and returns their paths. Both are checked before either is
// written: without force, neither may exist; with it, each may only be a
// regular file (never a directory or a symbolic link, which would be
// replaced or written through).
func (f *Files) Write(ctx context.Context, dir string, force bool) ([]string, error) {
	outs := []struct {
		name string
		data []byte
	}{{"Dockerfile", f.Dockerfile}, {".dockerignore", f.Dockerignore}}
	for _, o := range outs {
		p := filepath.Join(dir, o.name)
		fi, err := os.Lstat(p)
		switch {
		case os.IsNotExist(err):
		case err != nil:
			return nil, fmt.Errorf("checking %s: %w", p, err)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("%s is not a regular file (a directory or a symbolic link), which berth does not replace, even with --force: move it away; nothing was written", p)
		case !force:
			return nil, fmt.Errorf("%s already exists; berth does not overwrite it: pass --force to replace it (and %s)", p, other(o.name))
		}
	}
	var paths []string
	for _, o := range outs {
		p, data := filepath.Join(dir, o.name), o.data
		if err := atomicfile.WriteFile(ctx, p, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return paths, fmt.Errorf("writing %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func other(n string) string {
	if n == "Dockerfile" {
		return ".dockerignore"
	}
	return "Dockerfile"
}
