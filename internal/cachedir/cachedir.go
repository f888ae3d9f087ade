package cachedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Env is the variable that sets the cache directory; Off disables the cache.
const (
	Env = "BERTH_CACHE_DIR"
	Off = "off"
)

// Resolve returns berth's cache directory: $BERTH_CACHE_DIR, else berth
// under the user's cache directory; "" when BERTH_CACHE_DIR=off or no
// user cache directory is known. The directory is created (mode 0700) if
// missing, and checked with Check.
func Resolve(getenv func(string) string) (string, error) {
	dir := getenv(Env)
	switch dir {
	case Off:
		return "", nil
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return "", nil
		}
		dir = filepath.Join(base, "berth")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%s=%s: %w", Env, dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the cache directory %s: %w; set %s to a writable directory, or %s=%s", dir, err, Env, Env, Off)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("resolving the cache directory %s: %w", dir, err)
	}
	if err := Check(real); err != nil {
		return "", err
	}
	return real, nil
}

// Check refuses a cache directory another local user could plant files in,
// or swap: dir must belong to this user and be writable by no one else, and
// every directory above it must belong to this user or root and, if others
// may write to it, have the sticky bit (as /tmp has), so no one else can
// rename dir away. dir is a path free of symbolic links (Resolve gives
// one). What berth reads from its cache goes into images.
func Check(dir string) error {
	uid := os.Geteuid()
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("checking the cache directory: %w", err)
	}
	if err := owned(dir, fi, uid); err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return refuse(dir, fmt.Sprintf("it is writable by its group or by others (mode %04o)", fi.Mode().Perm()),
			fmt.Sprintf("chmod go-w %q", dir))
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		if err := checkParent(dir, p, uid); err != nil {
			return err
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func owned(dir string, fi fs.FileInfo, uid int) error {
	if !fi.IsDir() {
		return refuse(dir, "it is not a directory", "")
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("checking the cache directory: no owner information on this system")
	}
	if int(st.Uid) != uid {
		return refuse(dir, fmt.Sprintf("it belongs to uid %d, not to you (uid %d)", st.Uid, uid), "")
	}
	return nil
}

func checkParent(dir, p string, uid int) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return fmt.Errorf("checking the cache directory %s: %w", dir, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("checking the cache directory: no owner information on this system")
	}
	if st.Uid != 0 && int(st.Uid) != uid {
		return refuse(dir, fmt.Sprintf("%s above it belongs to uid %d, who could replace it", p, st.Uid), "")
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return refuse(dir, fmt.Sprintf("%s above it is writable by others (mode %04o, no sticky bit), who could replace it", p, fi.Mode().Perm()), "")
	}
	return nil
}

func refuse(dir, why, fix string) error {
	if fix == "" {
		fix = fmt.Sprintf("set %s to a directory of your own", Env)
	}
	return fmt.Errorf("refusing the cache directory %s: %s, so another user could put files into your images; %s, or set %s=%s", dir, why, fix, Env, Off)
}
