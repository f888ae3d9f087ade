package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// OtherEnv are BERTH_* variables that are not settings but that berth, its
// Dockerfiles, scripts or tests read: they are known, not misspellings.
var OtherEnv = []string{
	"BERTH_CACHE_DIR",        // the layer and runtime caches
	"BERTH_IMAGE",            // a generated Dockerfile's build argument
	"BERTH_BERTH_IMAGE",      // scripts/builder-image.sh
	"BERTH_DEBIAN_MIRROR",    // scripts/builder-image.sh
	"BERTH_RUNTIME_IMAGE",    // scripts/builder-image.sh
	"BERTH_RUST_IMAGE",       // scripts/builder-image.sh
	"BERTH_RUST_CROSS_IMAGE", // scripts/builder-image.sh
	"BERTH_TAG",              // scripts/builder-image.sh
	"BERTH_TEST_INPUTS",      // the test builder image's input hash
	"BERTH_E2E",              // end-to-end tests
	"BERTH_E2E_ZIGBUILD_LOG", // end-to-end tests
	"BERTH_REGISTRY_BIN",     // tests: the registry binary
	"BERTH_REGISTRY_BIN_DIR", // tests: where it is installed
	"BERTH_SYFT_BIN",         // tests: the syft binary
	"BERTH_REPO",             // resolve and apply: where images are pushed
}

// UnknownEnv returns a warning for each BERTH_* variable of environ
// (os.Environ's KEY=VALUE form) that is neither a setting nor in OtherEnv,
// naming the closest known variable when one is near: a misspelt setting
// must not be ignored in silence.
func UnknownEnv(environ []string) []string {
	known := append([]string(nil), OtherEnv...)
	for _, k := range Keys() {
		known = append(known, EnvName(k))
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "BERTH_") || slices.Contains(known, name) {
			continue
		}
		w := fmt.Sprintf("environment variable %s is not a berth setting and is ignored", name)
		if near := nearest(name, known); near != "" {
			w += fmt.Sprintf(": did you mean %s?", near)
		} else {
			w += fmt.Sprintf(" (settings: %s)", strings.Join(envNames(), ", "))
		}
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

func envNames() []string {
	var out []string
	for _, k := range Keys() {
		out = append(out, EnvName(k))
	}
	return out
}

// checkMetadataKeys refuses a key of a berth table that is not exactly a
// setting's name: JSON decoding would match USER to user, so that a table
// with both had one win in silence.
func checkMetadataKeys(name string, keys []string) error {
	known := Keys()
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(known, k) {
			continue
		}
		msg := fmt.Sprintf("%s: unknown key %q", name, k)
		if near := nearest(k, known); near != "" {
			msg += fmt.Sprintf(" (keys are case-sensitive: did you mean %q?)", near)
		}
		return fmt.Errorf("%s; known keys: %s", msg, strings.Join(known, ", "))
	}
	return nil
}

// nearest is the entry of known closest to s, ignoring case and treating -
// and _ alike, if it is within two edits; "" if none is.
func nearest(s string, known []string) string {
	fold := func(x string) string { return strings.ReplaceAll(strings.ToLower(x), "-", "_") }
	best, bestD := "", 3
	for _, k := range known {
		if d := distance(fold(s), fold(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
