package targetseed

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
)

// manifestName lists a seed's files, one "SIZE SHA256 PATH" line each:
// Restore keeps only the files that match it, so a truncated or damaged
// file is compiled again instead of poisoning this build and every seed
// after it.
const (
	manifestName = "MANIFEST"
	maxManifest  = 64 << 20
)

func writeManifest(dst *os.Root, sums map[string]string) error {
	var b bytes.Buffer
	for _, rel := range slices.Sorted(maps.Keys(sums)) {
		fmt.Fprintf(&b, "%s %s\n", sums[rel], rel)
	}
	return dst.WriteFile(manifestName, b.Bytes(), 0o644)
}

// readManifest reads a seed's manifest into path → "SIZE SHA256"; a
// malformed line makes the whole seed unusable.
func readManifest(seed *os.Root) (map[string]string, error) {
	f, err := seed.Open(manifestName)
	if err != nil {
		return nil, fmt.Errorf("the seed has no manifest: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil || len(data) > maxManifest {
		return nil, fmt.Errorf("the seed's manifest is unreadable or over %d bytes", maxManifest)
	}
	want := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		f := strings.SplitN(sc.Text(), " ", 3)
		if len(f) != 3 || len(f[1]) != 64 || f[2] != path.Clean(f[2]) || !allowed(f[2], false) {
			return nil, fmt.Errorf("the seed's manifest is malformed at line %d", n)
		}
		want[f[2]] = f[0] + " " + f[1]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the seed's manifest: %w", err)
	}
	return want, nil
}
