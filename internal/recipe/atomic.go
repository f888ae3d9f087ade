package recipe

import (
	"io"

	"github.com/berth-dev/berth/internal/atomicfile"
)

// WriteFile writes the recipe's canonical JSON to path atomically (parent
// directories created), so a failure never leaves a half-written recipe.
func (r *Recipe) WriteFile(path string) error {
	data, err := r.Encode()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
