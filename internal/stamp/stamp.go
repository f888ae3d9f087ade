package stamp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/berth-dev/berth/internal/atomicfile"
)

// settle is how old a file's last change must be for its identity to be
// trusted. A write changes the file's ctime, which no program can set
// back; but timestamps are coarse (a few ms, a second on some file
// systems), so a second write within the same tick as the first would
// keep the identity. A file untouched for settle before it is read can
// only change later at a later ctime (the reasoning of git's "racy git").
const settle = 2 * time.Second

// ID is a file's identity: device, inode, size, mtime and ctime, all of
// which a change of its content changes. "" means none can be trusted.
type ID string

// Of is the identity of the file at path (symlinks followed), or "" when it
// changed less than settle before now or cannot be read.
func Of(path string, now time.Time) ID {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return OfInfo(fi, now)
}

// OfInfo is Of for a FileInfo already at hand.
func OfInfo(fi fs.FileInfo, now time.Time) ID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if now.Sub(fi.ModTime()) < settle || now.Sub(ctime(st)) < settle {
		return ""
	}
	return Exact(fi)
}

// Store keeps small values (one line each) under keys, one file each in
// Dir. An empty Dir keeps nothing, and an empty key names nothing (FileKey
// of a file not settled). Values are only hints checked by their users or
// derived from trusted identities: a lost or torn one is a miss.
type Store struct {
	Dir string
	// Keep is how many values stay after a Put, most recently used
	// first; 0 means 256.
	Keep int
}

// FileKey is Key of parts and the identity of the file at path, or "" when
// that file has no identity to trust yet (see Of).
func FileKey(path string, now time.Time, parts ...string) string {
	id := Of(path, now)
	if id == "" {
		return ""
	}
	return Key(append(parts, path, string(id))...)
}

// Key hashes parts into a file name.
func Key(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Get returns the value under key, and marks it recently used.
func (s Store) Get(key string) (string, bool) {
	if s.Dir == "" || key == "" {
		return "", false
	}
	p := filepath.Join(s.Dir, key)
	data, err := os.ReadFile(p)
	if err != nil || len(data) == 0 || data[len(data)-1] != '\n' {
		return "", false
	}
	now := time.Now()
	os.Chtimes(p, now, now) // best effort: only the pruning order needs it
	return string(data[:len(data)-1]), true
}

// Put stores value (one line) under key, replacing the file by rename so
// that a reader never sees half of it, and keeps the Keep most recently
// used values. Not fsynced: a torn value is a miss.
func (s Store) Put(key, value string) {
	if s.Dir == "" || key == "" || os.MkdirAll(s.Dir, 0o755) != nil {
		return
	}
	f, err := atomicfile.CreateTemp(s.Dir, "stamp")
	if err != nil {
		return
	}
	_, err = f.WriteString(value + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(s.Dir, key))
	}
	if err != nil {
		os.Remove(f.Name())
		return
	}
	keep := s.Keep
	if keep <= 0 {
		keep = 256
	}
	atomicfile.Prune(filepath.Join(s.Dir, "[0-9a-f]*"), keep)
}

// Exact is the identity of a file berth itself writes and then only
// renames or touches (a cache entry): no settling needed, since what is
// checked is that nothing else rewrote it since.
func Exact(fi fs.FileInfo) ID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() {
		return ""
	}
	return ID(fmt.Sprintf("%d:%d:%d:%d:%d", st.Dev, st.Ino, fi.Size(), fi.ModTime().UnixNano(), ctime(st).UnixNano()))
}

// IsSHA256 reports whether v is a sha256 digest as stores keep them: 64
// lowercase hex digits. A value read back is a hint anyone able to write
// the cache could have edited; one that is not a digest must not be used.
func IsSHA256(v string) bool {
	if len(v) != 64 {
		return false
	}
	for _, r := range v {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
