package cargoconfig

import (
	"os"
	"strings"
)

// LinkerEnv is the environment variable cargo reads a target's linker from:
// CARGO_TARGET_<TRIPLE>_LINKER, the triple in upper case with dashes and
// dots as underscores.
func LinkerEnv(triple string) string {
	up := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(triple))
	return "CARGO_TARGET_" + up + "_LINKER"
}

// ConfiguredLinker is the linker cargo is told to use for triple by env
// (CARGO_TARGET_<TRIPLE>_LINKER; nil env means os.Environ()) or by a
// [target.<triple>] linker in the config files of a build run in dir; ""
// when neither sets one. A config file that does not parse is left to cargo.
func ConfiguredLinker(env []string, dir, triple string) string {
	if env == nil {
		env = os.Environ()
	}
	if v := lookupEnv(env, LinkerEnv(triple)); v != "" {
		return v
	}
	for _, targets := range targetTables(env, dir) {
		table, _ := targets[triple].(map[string]any)
		if l, ok := table["linker"].(string); ok && l != "" {
			return l
		}
	}
	return ""
}
