package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/berth-dev/berth/internal/atomicfile"
)

// WriteFile writes the recipe's canonical JSON to path atomically (parent
// directories created), so a failure never leaves a half-written recipe.
// It replaces only a recipe: any other file at path (a Cargo.toml given by
// mistake) or a symbolic link is refused.
func (r *Recipe) WriteFile(ctx context.Context, path string) error {
	if err := replaceable(path); err != nil {
		return err
	}
	data, err := r.Encode()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(ctx, path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// replaceable reports an error unless path is absent or an earlier recipe.
func replaceable(path string) error {
	err := atomicfile.Replaceable(path, isRecipe)
	switch {
	case errors.Is(err, atomicfile.ErrNotRegular):
		return fmt.Errorf("will not write the recipe to %s: it exists and is not a regular file (a symbolic link or a directory); choose another --recipe-path", path)
	case errors.Is(err, atomicfile.ErrForeign):
		return fmt.Errorf("will not write the recipe to %s: that file exists and is not a berth recipe; choose another --recipe-path, or remove the file if it is yours to lose", path)
	case err != nil:
		return fmt.Errorf("checking the recipe path: %w", err)
	}
	return nil
}

// isRecipe recognises a recipe berth wrote.
func isRecipe(data []byte) bool {
	var head struct {
		Version       int     `json:"version"`
		WorkspaceRoot *string `json:"workspace_root"`
	}
	return json.Unmarshal(data, &head) == nil && head.Version >= 1 && head.WorkspaceRoot != nil
}
