package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/cargo"
)

// loadProject asks cargo for the workspace, and returns it with the manifest
// cargo starts from (--manifest-path, else the nearest Cargo.toml up from
// the working directory). Outside a project that is an error, unless a
// prebuilt binary is packaged. With ownReader, berth's manifest reader
// answers instead, and cargo only when that reader fails (cargo's error is
// the one to show).
func loadProject(ctx context.Context, runner *cargo.Runner, manifestPath string, optional, ownReader bool) (*cargo.Project, string, error) {
	current, err := findManifest(manifestPath)
	var none noManifestError
	if optional && errors.As(err, &none) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	if ownReader {
		if pr, err := cargo.Load(manifestPath); err == nil {
			return pr, current, nil
		}
	}
	pr, err := runner.Metadata(ctx, manifestPath)
	if err != nil {
		return nil, "", err
	}
	return pr, current, nil
}

// noManifestError is the absence of any Cargo.toml.
type noManifestError struct{ dir string }

func (e noManifestError) Error() string {
	return fmt.Sprintf("no Cargo.toml in %s or any parent directory: run cargo berth inside a Rust project, or pass --manifest-path", e.dir)
}

// findManifest is the absolute path of the Cargo.toml cargo starts from:
// --manifest-path (which must exist), else the nearest one up from the
// working directory.
func findManifest(manifestPath string) (string, error) {
	if manifestPath != "" {
		if _, err := os.Stat(manifestPath); err != nil {
			return "", usagef("--manifest-path %s: %v", manifestPath, errors.Unwrap(err))
		}
		return filepath.Abs(manifestPath)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if found := findUp(wd, "Cargo.toml"); found != "" {
		return found, nil
	}
	return "", noManifestError{wd}
}

func findUp(dir, file string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, file)); err == nil {
			return filepath.Join(dir, file)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
