package recipe

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/berth-dev/berth/internal/atomicfile"
)

// WriteFile writes the recipe's canonical JSON to path atomically (parent
// directories created), so a failure never leaves a half-written recipe.
// It replaces only a recipe: any other file at path (a Cargo.toml given by
// mistake) or a symbolic link is refused.
func (r *Recipe) WriteFile(path string) error {
	if err := replaceable(path); err != nil {
		return err
	}
	data, err := r.Encode()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// replaceable reports an error unless path is absent or an earlier recipe.
func replaceable(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking the recipe path: %w", err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("will not write the recipe to %s: it exists and is not a regular file (a symbolic link or a directory); choose another --recipe-path", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("checking the recipe path: %w", err)
	}
	var head struct {
		Version       int     `json:"version"`
		WorkspaceRoot *string `json:"workspace_root"`
	}
	if json.Unmarshal(data, &head) != nil || head.Version < 1 || head.WorkspaceRoot == nil {
		return fmt.Errorf("will not write the recipe to %s: that file exists and is not a berth recipe; choose another --recipe-path, or remove the file if it is yours to lose", path)
	}
	return nil
}
