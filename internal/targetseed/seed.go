package targetseed

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A cache directory holds one seed, seedName, complete only with its
// marker; Save writes a new one beside it under a tmpPrefix name and
// swaps, so an interrupted Save leaves the old seed, none (a cold build) or
// leftovers the next Save removes, never a half-written seed.
const (
	seedName   = "seed"
	markerName = "BERTH-SEED"
	marker     = "berth target seed 1\n"
	tmpPrefix  = ".tmp-"
)

// Restored is what Restore copied into a target directory.
type Restored struct {
	target  string
	Files   []string // regular files written, relative to the target directory
	Bytes   int64
	Kept    int      // files the target directory already had
	Skipped []string // symbolic links and other non-files in the seed
	Corrupt []string // files not as the seed's manifest lists them, left out
}

// Restore copies the seed in cacheDir into targetDir (made if missing):
// deps/, build/ and .fingerprint/ of each profile directory, each file with
// its modification time, never over a file targetDir has. The cache is
// untrusted: symbolic links and other non-files are skipped, no path
// leaves either directory, and a file that does not match the seed's
// manifest is left out (cargo compiles its crate again). An error means no seed was used (none, or an
// unusable one: the caller builds cold), and nothing of it is left in
// targetDir.
func Restore(ctx context.Context, cacheDir, targetDir string) (*Restored, error) {
	res := &Restored{target: targetDir}
	cache, err := os.OpenRoot(cacheDir)
	if errors.Is(err, fs.ErrNotExist) {
		return res, errors.New("no seed yet (no such directory)")
	}
	if err != nil {
		return res, fmt.Errorf("opening the cache: %w", err)
	}
	defer cache.Close()
	if err := checkSeed(cache); err != nil {
		return res, err
	}
	seed, err := cache.OpenRoot(seedName)
	if err != nil {
		return res, fmt.Errorf("opening the seed: %w", err)
	}
	defer seed.Close()
	if err := os.MkdirAll(targetDir, 0o755); err != nil {
		return res, fmt.Errorf("making the target directory %s: %w", targetDir, err)
	}
	target, err := os.OpenRoot(targetDir)
	if err != nil {
		return res, err
	}
	defer target.Close()
	want, err := readManifest(seed)
	if err != nil {
		return res, err
	}
	c := copied{want: want}
	err = copyTree(ctx, seed, target, ".", &c)
	res.Files, res.Bytes, res.Kept, res.Skipped, res.Corrupt = c.files, c.bytes, c.kept, c.skipped, c.corrupt
	if err != nil {
		if uerr := res.Undo(); uerr != nil {
			return res, fmt.Errorf("copying the seed: %w (and removing what was copied: %v)", err, uerr)
		}
		return res, fmt.Errorf("copying the seed: %w", err)
	}
	return res, nil
}

// checkSeed reports a missing, incomplete or odd seed.
func checkSeed(cache *os.Root) error {
	fi, err := cache.Lstat(seedName)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no seed yet")
	case err != nil:
		return fmt.Errorf("reading the seed: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("the seed is a %s, not a directory", fi.Mode().Type())
	}
	mi, err := cache.Lstat(filepath.Join(seedName, markerName))
	if err != nil || !mi.Mode().IsRegular() || mi.Size() != int64(len(marker)) {
		return errors.New("the seed is incomplete or from another berth (its marker is missing or not a file)")
	}
	got, err := cache.ReadFile(filepath.Join(seedName, markerName))
	if err != nil || string(got) != marker {
		return errors.New("the seed's marker is not berth's")
	}
	return nil
}

// Undo removes the files Restore wrote (the directories it made stay, empty).
func (r *Restored) Undo() error {
	if len(r.Files) == 0 {
		return nil
	}
	target, err := os.OpenRoot(r.target)
	if err != nil {
		return err
	}
	defer target.Close()
	var errs []error
	for _, f := range slices.Backward(r.Files) {
		if err := target.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	r.Files, r.Bytes = nil, 0
	return errors.Join(errs...)
}

// Saved is what Save copied into the cache directory.
type Saved struct {
	Files int
	Bytes int64
}

// Save makes targetDir's deps/, build/ and .fingerprint/ directories, of
// every profile directory, the seed in cacheDir (made if missing): copied
// into a fresh directory there, marked complete, then swapped with the old
// seed. With units, only their entries are kept (nil keeps all). Call it
// after the local units are gone from targetDir: a seed is for third-party
// crates.
func Save(ctx context.Context, targetDir, cacheDir string, units Units) (*Saved, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("making the cache directory %s: %w", cacheDir, err)
	}
	cache, err := os.OpenRoot(cacheDir)
	if err != nil {
		return nil, err
	}
	defer cache.Close()
	removeLeftovers(cache)
	tmp := fmt.Sprintf("%s%d-%d", tmpPrefix, os.Getpid(), time.Now().UnixNano())
	if err := cache.Mkdir(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("making a new seed in %s: %w", cacheDir, err)
	}
	saved, err := fill(ctx, cache, tmp, targetDir, units)
	if err == nil {
		err = swap(cache, tmp)
	}
	if err != nil {
		_ = cache.RemoveAll(tmp)
		return nil, fmt.Errorf("saving the seed in %s: %w", cacheDir, err)
	}
	return saved, nil
}

// fill copies targetDir's seeded directories into the cache's tmp, then
// writes the marker.
func fill(ctx context.Context, cache *os.Root, tmp, targetDir string, units Units) (*Saved, error) {
	dst, err := cache.OpenRoot(tmp)
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	src, err := os.OpenRoot(targetDir)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	c := copied{units: units}
	for _, dir := range ProfileDirs(targetDir) {
		rel, err := filepath.Rel(targetDir, dir)
		if err != nil {
			return nil, err
		}
		for sub := range seeded {
			from := filepath.ToSlash(filepath.Join(rel, sub))
			if fi, err := src.Lstat(from); err != nil || !fi.IsDir() {
				continue
			}
			if err := dst.MkdirAll(from, 0o755); err != nil {
				return nil, err
			}
			if err := copyTree(ctx, src, dst, from, &c); err != nil {
				return nil, err
			}
		}
	}
	if err := writeManifest(dst, c.sums); err != nil {
		return nil, err
	}
	if err := dst.WriteFile(markerName, []byte(marker), 0o644); err != nil {
		return nil, err
	}
	return &Saved{Files: len(c.files), Bytes: c.bytes}, nil
}

// swap puts tmp in the seed's place: the old seed is renamed away first
// (between the two renames there is no seed, a cold build) and removed
// after.
func swap(cache *os.Root, tmp string) error {
	old := tmp + "-old"
	if err := cache.Rename(seedName, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := cache.Rename(tmp, seedName); err != nil {
		return err
	}
	return cache.RemoveAll(old)
}

// removeLeftovers removes what an interrupted Save left.
func removeLeftovers(cache *os.Root) {
	d, err := cache.Open(".")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		if strings.HasPrefix(n, tmpPrefix) {
			_ = cache.RemoveAll(n)
		}
	}
}
