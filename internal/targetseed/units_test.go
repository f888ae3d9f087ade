package targetseed

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"testing"
)

const (
	hashA = "0123456789abcdef"
	hashB = "fedcba9876543210"
)

func TestUnitsAdd(t *testing.T) {
	for _, c := range []struct {
		path, want string
	}{
		{"/app/target/release/deps/libfnv-" + hashA + ".rlib", hashA},
		{"/app/target/release/deps/libquote-" + hashA + ".so", hashA},
		{"/app/target/release/deps/fnv-" + hashA + ".d", hashA},
		{"/app/target/release/build/proc-macro2-" + hashA + "/build-script-build", hashA},
		{"/app/target/release/build/proc-macro2-" + hashA + "/out", hashA},
		{"/app/target/release/app", ""},
		{"/app/target/release/deps/libshort-0123abcd.rlib", ""},
	} {
		u := Units{}
		u.Add(c.path)
		if got := slices.Collect(maps.Keys(u)); (c.want == "" && len(got) != 0) || (c.want != "" && !slices.Equal(got, []string{c.want})) {
			t.Errorf("Add(%q) recorded %v, want %q", c.path, got, c.want)
		}
	}
}

// TestSaveKeepsUsedUnits: with the units of the last build, a save leaves
// out another version's unit that the target directory still holds.
func TestSaveKeepsUsedUnits(t *testing.T) {
	target, cache := t.TempDir(), t.TempDir()
	write(t, target, map[string]string{
		"release/deps/libfnv-" + hashA + ".rlib":         "used",
		"release/deps/fnv-" + hashA + ".d":               "used",
		"release/.fingerprint/fnv-" + hashA + "/lib-fnv": "used",
		"release/build/serde-" + hashA + "/out/x.rs":     "used",
		"release/deps/libfnv-" + hashB + ".rlib":         "stale",
		"release/.fingerprint/fnv-" + hashB + "/lib-fnv": "stale",
		"release/build/serde-" + hashB + "/out/x.rs":     "stale",
	})
	if _, err := Save(context.Background(), target, cache, Units{hashA: true}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"release/.fingerprint/fnv-" + hashA + "/lib-fnv",
		"release/build/serde-" + hashA + "/out/x.rs",
		"release/deps/fnv-" + hashA + ".d",
		"release/deps/libfnv-" + hashA + ".rlib",
	}
	got := without(files(t, filepath.Join(cache, seedName)), markerName, manifestName)
	if !slices.Equal(got, want) {
		t.Errorf("the seed holds %v, want %v", got, want)
	}
}
