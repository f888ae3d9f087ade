package cachedir

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// helperEnv makes the test binary, started again as another user, resolve
// the cache directory and print the result instead of running tests.
const helperEnv = "BERTH_CACHEDIR_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		dir, err := Resolve(os.Getenv)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(0)
		}
		fmt.Println("dir:", dir)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestResolveOffAndDefault(t *testing.T) {
	if dir, err := Resolve(env(map[string]string{Env: Off})); dir != "" || err != nil {
		t.Errorf("off = %q %v, want no directory", dir, err)
	}
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	dir, err := Resolve(env(nil))
	if err != nil || dir != filepath.Join(home, "cache", "berth") {
		t.Fatalf("default = %q %v", dir, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created %v %v, want mode 0700", fi.Mode(), err)
	}
}

// TestSharedDirectories: a cache directory another user owns or may write
// to is refused with the reason and the way out, for root and for an
// ordinary user (nobody); a private one is accepted (issue 16, high 4).
func TestSharedDirectories(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create other users' directories")
	}
	nobody := lookupNobody(t)
	base := worldDir(t)
	tests := []struct {
		name   string
		as     int                    // uid running berth
		setup  func(dir string) error // dir does not exist yet
		parent func(dir string) error
		want   string // "" means accepted
	}{
		{"root, directory of another user", 0, owner(nobody, 0o700), nil, "belongs to uid 65534"},
		{"root, directory writable by others", 0, owner(0, 0o777), nil, "writable by its group or by others"},
		{"root, directory writable by group", 0, owner(0, 0o770), nil, "chmod go-w"},
		{"root, own private directory", 0, owner(0, 0o700), nil, ""},
		{"root, parent of another user", 0, nil, owner(nobody, 0o755), "belongs to uid 65534, who could replace it"},
		{"root, parent writable by all without sticky bit", 0, nil, owner(0, 0o777), "no sticky bit"},
		{"root, parent like /tmp", 0, nil, owner(0, 0o777|os.ModeSticky), ""},
		{"nobody, directory made by root", nobody, owner(0, 0o755), nil, "belongs to uid 0, not to you (uid 65534)"},
		{"nobody, directory writable by all", nobody, owner(nobody, 0o777), nil, "writable by its group or by others"},
		{"nobody, own directory created on first use", nobody, nil, owner(0, 0o777|os.ModeSticky), ""},
		{"nobody, a symlink to root's directory", nobody, linkToRootDir, nil, "belongs to uid 0"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := filepath.Join(base, strconv.Itoa(i))
			if err := os.Mkdir(parent, 0o755); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(parent, "cache")
			if tt.parent != nil {
				if err := tt.parent(parent); err != nil {
					t.Fatal(err)
				}
			}
			if tt.setup != nil {
				if err := tt.setup(dir); err != nil {
					t.Fatal(err)
				}
			}
			out := resolveAs(t, tt.as, dir)
			if tt.want == "" && !strings.HasPrefix(out, "dir: ") {
				t.Fatalf("refused: %s", out)
			}
			if tt.want != "" && (!strings.HasPrefix(out, "error: ") || !strings.Contains(out, tt.want) || !strings.Contains(out, Env+"="+Off)) {
				t.Fatalf("got %s, want a refusal saying %q and how to turn the cache off", out, tt.want)
			}
		})
	}
}

// owner makes (or changes) a directory with this owner and mode.
func owner(uid int, mode os.FileMode) func(string) error {
	return func(dir string) error {
		if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
			return err
		}
		if err := os.Chown(dir, uid, uid); err != nil {
			return err
		}
		return os.Chmod(dir, mode)
	}
}

// linkToRootDir makes dir a symlink to a directory of root's.
func linkToRootDir(dir string) error {
	target := dir + "-root"
	if err := owner(0, 0o755)(target); err != nil {
		return err
	}
	return os.Symlink(target, dir)
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func lookupNobody(t *testing.T) int {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("no user nobody to run as: %v", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// worldDir is a temporary directory every user may enter (t.TempDir's are
// 0700), holding a copy of the test binary every user may run.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "berth-cachedir-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cachedir.test"), self, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// resolveAs runs Resolve with BERTH_CACHE_DIR=dir as user uid, in a
// process of its own, and returns what it printed.
func resolveAs(t *testing.T, uid int, dir string) string {
	t.Helper()
	bin := filepath.Join(filepath.Dir(filepath.Dir(dir)), "cachedir.test") // base/<case>/cache
	cmd := exec.Command(bin)
	cmd.Env = []string{helperEnv + "=1", Env + "=" + dir, "HOME=/nonexistent", "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("running as uid %d: %v\n%s", uid, err, out)
	}
	return strings.TrimSpace(string(out))
}
