package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/cargoconfig"
	"github.com/berth-dev/berth/internal/stamp"
	"github.com/berth-dev/berth/internal/workspace"
)

// CrateCache keeps the crate list of a build between builds, so that an
// edit of the sources, which cannot change it, does not run cargo metadata
// again (about 50 ms, and it contends with cargo build for cargo's package
// cache lock): one JSON value per key, the 64 most recently used kept. A
// nil *CrateCache, or an empty Dir, caches nothing.
type CrateCache struct {
	Dir string
}

// cratesEntry is the file format; Version changes when Crate does. Sum
// binds the list to its key, so that an entry edited by hand or torn, or
// copied under another key, is a miss rather than a list in the SBOM.
type cratesEntry struct {
	Version int           `json:"version"`
	Crates  []audit.Crate `json:"crates"`
	Sum     string        `json:"sum"`
}

const cratesEntryVersion = 2

// cratesSum is an entry's Sum: the sha256 of its key and its list.
func cratesSum(key string, crates []audit.Crate) string {
	data, _ := json.Marshal(crates)
	h := sha256.Sum256(append([]byte(key+"\n"), data...))
	return hex.EncodeToString(h[:])
}

// cachedCrates is the list the stored value v holds for key, or nil when v
// is damaged, of another version, edited (its sum no longer matches) or not
// a list cargo could have given (audit.Check).
func cachedCrates(key, v string) []audit.Crate {
	var e cratesEntry
	if json.Unmarshal([]byte(v), &e) != nil || e.Version != cratesEntryVersion || e.Crates == nil {
		return nil
	}
	if e.Sum != cratesSum(key, e.Crates) || audit.Check(e.Crates) != nil {
		return nil
	}
	return e.Crates
}

// CratesKey names what cargo's resolve for bo depends on: the build's
// options (package, features, target, static), the content of every local
// manifest (members, path dependencies, [patch] targets), Cargo.lock, every
// cargo config and toolchain file cargo may read (up from the workspace and
// from dir, the directory cargo runs in, and in CARGO_HOME), and the
// environment's CARGO* and RUST* variables (RUSTFLAGS changes the target's
// cfg). Registry crates are immutable by version, which Cargo.lock pins.
// ws is the project as berth's reader read it (every local manifest, path
// dependencies included), so that the key reads no manifest again; ok is
// false without it (the reader failed), or without a Cargo.lock yet (cargo
// would resolve afresh): such a build is not cached.
func CratesKey(ws *workspace.Project, dir string, bo cargo.BuildOptions, env []string) (key string, ok bool) {
	if ws == nil || ws.RootManifest == nil {
		return "", false
	}
	lock := filepath.Join(ws.WorkspaceRoot, "Cargo.lock")
	files := []string{ws.RootManifest.Path, lock}
	for _, p := range ws.Packages {
		files = append(files, p.Manifest.Path)
	}
	for _, f := range cargoconfig.ConfigCandidates(env, ws.WorkspaceRoot, dir) {
		files = append(files, f.Path)
	}
	slices.Sort(files)
	files = slices.Compact(files)

	h := sha256.New()
	opts, _ := json.Marshal(bo)
	fmt.Fprintf(h, "berth crates v%d\n%s\n", cratesEntryVersion, opts)
	for _, kv := range slices.Sorted(slices.Values(env)) {
		if strings.HasPrefix(kv, "CARGO") || strings.HasPrefix(kv, "RUST") || strings.HasPrefix(kv, "HOME=") {
			fmt.Fprintf(h, "env %q\n", kv)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		switch {
		case err == nil:
			fmt.Fprintf(h, "file %q %d\n", f, len(data))
			h.Write(data)
		case os.IsNotExist(err) && f != lock:
			fmt.Fprintf(h, "absent %q\n", f)
		default:
			return "", false
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// Crates returns the list stored under key, or else runs list and stores
// what it gives. A damaged, edited or unreadable entry is only a miss (see
// cachedCrates), and a list that cannot be stored is still returned: the
// cache costs no build.
func (c *CrateCache) Crates(key string, list func() ([]audit.Crate, error)) ([]audit.Crate, error) {
	if c == nil || c.Dir == "" || key == "" {
		return list()
	}
	store := stamp.Store{Dir: c.Dir, Keep: 64}
	if v, ok := store.Get(key); ok {
		if crates := cachedCrates(key, v); crates != nil {
			return crates, nil
		}
	}
	crates, err := list()
	if err != nil || crates == nil {
		return crates, err
	}
	// JSON escapes every newline: the entry is the one line a value is.
	if data, err := json.Marshal(cratesEntry{Version: cratesEntryVersion, Crates: crates, Sum: cratesSum(key, crates)}); err == nil {
		store.Put(key, string(data))
	}
	return crates, nil
}
