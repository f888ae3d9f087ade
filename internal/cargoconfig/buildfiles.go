package cargoconfig

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

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
// in dir reads from inside a build context at stop: every one in dir and
// its parents up to stop, nearest directory first, and within a directory
// in the order of preference.
func BuildFiles(dir, stop string) []BuildFile {
	var out []BuildFile
	for _, f := range candidates(dir, stop) {
		if isRegular(f.Path) {
			out = append(out, f)
		}
	}
	return out
}

// candidates are the config and toolchain paths of start and its parents
// up to stop (or the root), nearest first, each directory's in cargo's and
// rustup's order of preference, whether or not they exist.
func candidates(start, stop string) []BuildFile {
	var out []BuildFile
	for dir := start; ; dir = filepath.Dir(dir) {
		for _, name := range configBase {
			out = append(out, BuildFile{Path: filepath.Join(dir, ".cargo", name)})
		}
		for _, name := range toolchainNames {
			out = append(out, BuildFile{Path: filepath.Join(dir, name), Toolchain: true})
		}
		if dir == stop || filepath.Dir(dir) == dir {
			return out
		}
	}
}

// ConfigCandidates are every path a cargo run in one of dirs may read
// config or toolchain files from, whether or not they exist: .cargo/config
// and .cargo/config.toml (and the rust-toolchain files) in each directory up
// to the root, then CARGO_HOME's config (from env: CARGO_HOME, else
// HOME/.cargo). A key built from them sees any appear.
func ConfigCandidates(env []string, dirs ...string) []BuildFile {
	var out []BuildFile
	for _, start := range dirs {
		out = append(out, candidates(start, "")...)
	}
	if home := Home(env); home != "" {
		for _, name := range configBase {
			out = append(out, BuildFile{Path: filepath.Join(home, name)})
		}
	}
	return out
}

// TargetDirMoved reports whether cargo run in dir (a workspace at root)
// may put its output elsewhere than root/target: CARGO_TARGET_DIR or
// CARGO_BUILD_TARGET_DIR is set, or a config file it reads names a
// target-dir. Only cargo metadata then says where.
func TargetDirMoved(env []string, root, dir string) bool {
	if lookupEnv(env, "CARGO_TARGET_DIR") != "" || lookupEnv(env, "CARGO_BUILD_TARGET_DIR") != "" {
		return true
	}
	for _, d := range []string{root, dir} {
		for _, p := range configFiles(env, d) {
			if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte("target-dir")) {
				return true
			}
		}
	}
	return false
}

func lookupEnv(env []string, name string) string {
	v, _ := LookupEnv(env, name)
	return v
}

// LookupEnv is os.LookupEnv for env: the last value of a name wins, as in
// the environment a program started with env sees.
func LookupEnv(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v, true
		}
	}
	return "", false
}
