package cargoconfig

import (
	"os"
	"path/filepath"

	"github.com/pelletier/go-toml/v2"
)

// configFiles are cargo's configuration files for a build run in dir with
// env, as cargo finds them: one .cargo/config (or .cargo/config.toml) in dir
// and every parent, then the one in $CARGO_HOME.
func configFiles(env []string, dir string) []string {
	var out []string
	for d := dir; ; d = filepath.Dir(d) {
		if p := firstFile(filepath.Join(d, ".cargo"), configBase); p != "" {
			out = append(out, p)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if home := Home(env); home != "" {
		if p := firstFile(home, configBase); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Home is CARGO_HOME in env, else HOME/.cargo, as cargo has it; ""
// when env has neither.
func Home(env []string) string {
	if home := lookupEnv(env, "CARGO_HOME"); home != "" {
		return home
	}
	if h := lookupEnv(env, "HOME"); h != "" {
		return filepath.Join(h, ".cargo")
	}
	return ""
}

// HasTargetRustflags reports whether any config file of a build in dir sets
// rustflags in a [target.<triple>] or [target.'cfg(...)'] table. cargo then
// ignores build.rustflags, so flags berth adds must go to the target table.
// A file that does not parse is left to cargo to report.
func HasTargetRustflags(env []string, dir string) bool {
	for _, targets := range targetTables(env, dir) {
		for _, t := range targets {
			if table, ok := t.(map[string]any); ok {
				if _, ok := table["rustflags"]; ok {
					return true
				}
			}
		}
	}
	return false
}

// targetTables are the [target] tables of the config files of a build in
// dir, in cargo's order (the nearest first). A file that does not parse is
// left out, for cargo to report.
func targetTables(env []string, dir string) []map[string]any {
	var out []map[string]any
	for _, p := range configFiles(env, dir) {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var raw map[string]any
		if err := toml.Unmarshal(data, &raw); err != nil {
			continue
		}
		if targets, ok := raw["target"].(map[string]any); ok {
			out = append(out, targets)
		}
	}
	return out
}

// firstFile is the first of names that is a regular file in dir, or "".
func firstFile(dir string, names []string) string {
	for _, name := range names {
		if p := filepath.Join(dir, name); isRegular(p) {
			return p
		}
	}
	return ""
}

func isRegular(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}
