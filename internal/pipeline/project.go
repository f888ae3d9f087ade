package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/cargoconfig"
	"github.com/berth-dev/berth/internal/timing"
	"github.com/berth-dev/berth/internal/workspace"
)

// loadProject reads the workspace, and returns it with the manifest cargo
// starts from (--manifest-path, else the nearest Cargo.toml up from the
// working directory). Outside a project that is an error, unless a
// prebuilt binary is packaged. berth's manifest reader answers (cargo
// metadata costs a cargo process, 15 ms, before every build), and cargo
// metadata only when that reader fails (cargo's error is the one to show)
// or the target directory is moved (CARGO_TARGET_DIR, build.target-dir):
// only cargo knows it for sure, and the default layout goes in it; the
// reader's project is kept then, with cargo's target directory, so that
// nothing reads the manifests again.
func loadProject(ctx context.Context, runner *cargo.Runner, manifestPath string, optional bool) (*workspace.Project, string, error) {
	current, err := findManifest(manifestPath)
	var none noManifestError
	if optional && errors.As(err, &none) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	read, readErr := workspace.Load(current)
	if readErr == nil {
		wd, _ := os.Getwd()
		env := runner.Env
		if env == nil {
			env = os.Environ()
		}
		if !cargoconfig.TargetDirMoved(env, read.WorkspaceRoot, wd) {
			return read, current, nil
		}
	}
	done := timing.Start(ctx, "  cargo metadata --no-deps")
	pr, err := runner.Metadata(ctx, manifestPath)
	done()
	if err != nil {
		return nil, "", err
	}
	if readErr == nil {
		read.TargetDirectory = pr.TargetDirectory
		return read, current, nil
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
			return "", inputf("--manifest-path %s: %v", manifestPath, errors.Unwrap(err))
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
