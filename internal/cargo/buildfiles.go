package cargo

import "path/filepath"

// The names cargo (in a directory's .cargo) and rustup read, in the order
// they pick them when both are there: the name without .toml wins (cargo and
// rustup warn and use it).
var (
	configBase     = []string{"config", "config.toml"}
	toolchainNames = []string{"rust-toolchain", "rust-toolchain.toml"}
)

// BuildFile is a cargo config or rustup toolchain file.
type BuildFile struct {
	Path      string
	Toolchain bool // a rust-toolchain file; else a .cargo config file
}

// BuildFiles are the cargo config and rustup toolchain files that a build
// at the workspace root reads from inside its build context: every one in
// the workspace root and its parents up to ContextDir, nearest directory
// first, and within a directory in the order of preference.
func (w *Workspace) BuildFiles() []BuildFile {
	stop := w.ContextDir()
	var out []BuildFile
	for dir := w.Root; ; dir = filepath.Dir(dir) {
		for _, name := range configBase {
			out = appendIfFile(out, BuildFile{Path: filepath.Join(dir, ".cargo", name)})
		}
		for _, name := range toolchainNames {
			out = appendIfFile(out, BuildFile{Path: filepath.Join(dir, name), Toolchain: true})
		}
		if dir == stop || filepath.Dir(dir) == dir {
			return out
		}
	}
}

func appendIfFile(out []BuildFile, f BuildFile) []BuildFile {
	if isRegular(f.Path) {
		return append(out, f)
	}
	return out
}
