package cargo

import (
	"os"
	"path/filepath"
)

// configFiles are cargo's configuration files for a build run in dir, as
// cargo finds them: .cargo/config.toml (or the older .cargo/config) in dir
// and every parent, then $CARGO_HOME/config.toml.
func configFiles(dir string) []string {
	var out []string
	add := func(d string) {
		for _, name := range []string{"config.toml", "config"} {
			p := filepath.Join(d, name)
			if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
				out = append(out, p)
				return
			}
		}
	}
	for d := dir; ; d = filepath.Dir(d) {
		add(filepath.Join(d, ".cargo"))
		if filepath.Dir(d) == d {
			break
		}
	}
	home := os.Getenv("CARGO_HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = filepath.Join(h, ".cargo")
		}
	}
	if home != "" {
		add(home)
	}
	return out
}

// hasTargetRustflags reports whether any config file of a build in dir sets
// rustflags in a [target.<triple>] or [target.'cfg(...)'] table. cargo then
// ignores build.rustflags, so flags berth adds must go to the target table.
// A file that does not parse is left to cargo to report.
func hasTargetRustflags(dir string) bool {
	for _, p := range configFiles(dir) {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		raw, err := DecodeTOML(p, data)
		if err != nil {
			continue
		}
		targets, _ := raw["target"].(map[string]any)
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
