package rootfs

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/internal/fileset"
)

// sysroot builds a tiny root with a merged-/usr layout like Debian 12's:
// /lib -> usr/lib, a soname symlink and an interpreter link through /lib64.
func sysroot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	mk := func(p, data string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := func(p, target string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	mk("usr/lib/x86_64-linux-gnu/libc.so.6", "libc")
	mk("usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3", "foo")
	link("usr/lib/x86_64-linux-gnu/libfoo.so.1", "libfoo.so.1.2.3")
	mk("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "ld")
	link("lib", "usr/lib")
	link("lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
	mk("etc/ssl/certs/ca-certificates.crt", "PEM")
	return root
}

func byPath(set *fileset.Set) map[string]fileset.File {
	m := map[string]fileset.File{}
	for _, f := range set.Files() {
		m[f.Path] = f
	}
	return m
}

func TestRuntimeLibraries(t *testing.T) {
	root := sysroot(t)
	set, warnings, err := Runtime(Options{Root: root, Libraries: []string{
		"/lib64/ld-linux-x86-64.so.2",
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/lib/x86_64-linux-gnu/libfoo.so.1",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	files := byPath(set)
	tests := []struct {
		path, link string
		regular    bool
	}{
		{"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "", true},
		{"/lib64/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", false},
		{"/usr/lib/x86_64-linux-gnu/libc.so.6", "", true},
		{"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", false},
		{"/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3", "", true},
		{"/lib/x86_64-linux-gnu/libfoo.so.1", "/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f, ok := files[tt.path]
			switch {
			case !ok:
				t.Fatalf("missing; have %v", keys(files))
			case tt.regular && (f.Source == "" || f.Mode != 0o755):
				t.Errorf("want a regular 0755 file from the host, got %+v", f)
			case !tt.regular && (!f.IsSymlink() || f.Link != tt.link):
				t.Errorf("want symlink to %s, got %+v", tt.link, f)
			}
		})
	}
	if _, ok := files["/etc/passwd"]; ok {
		t.Error("system files added without System")
	}
}

func TestRuntimeSystemFiles(t *testing.T) {
	set, warnings, err := Runtime(Options{Root: sysroot(t), System: true})
	if err != nil || len(warnings) != 0 {
		t.Fatal(err, warnings)
	}
	files := byPath(set)
	if f := files["/tmp"]; f.Mode != fs.ModeDir|fs.ModeSticky|0o777 {
		t.Errorf("/tmp mode = %v", f.Mode)
	}
	if !strings.Contains(string(files["/etc/passwd"].Data), "nonroot:x:65532:65532:") {
		t.Errorf("passwd lacks nonroot: %q", files["/etc/passwd"].Data)
	}
	if !strings.Contains(string(files["/etc/group"].Data), "nonroot:x:65532:") {
		t.Errorf("group lacks nonroot")
	}
	if f := files["/etc/ssl/certs/ca-certificates.crt"]; f.Source == "" {
		t.Errorf("no CA bundle: %+v", f)
	}
}

func TestRuntimeWarnsWithoutCABundle(t *testing.T) {
	_, warnings, err := Runtime(Options{Root: t.TempDir(), System: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "ca-certificates") {
		t.Errorf("warnings = %v, want one naming ca-certificates", warnings)
	}
}

func TestRuntimeErrors(t *testing.T) {
	root := sysroot(t)
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"missing library", Options{Root: root, Libraries: []string{"/lib/libnope.so.1"}}, "libnope.so.1"},
		{"include without dest", Options{Includes: []string{"config.toml"}}, "HOST_PATH:/ABSOLUTE/IMAGE/PATH"},
		{"include relative dest", Options{Includes: []string{"a:b"}}, "HOST_PATH:/ABSOLUTE/IMAGE/PATH"},
		{"include missing source", Options{Includes: []string{filepath.Join(root, "nope") + ":/x"}}, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Runtime(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %q", err, tt.want)
			}
		})
	}
}

func TestIncludeTree(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "sub"), 0o700)
	os.WriteFile(filepath.Join(src, "sub", "a.txt"), []byte("a"), 0o600)
	os.WriteFile(filepath.Join(src, "run.sh"), []byte("#!/bin/sh"), 0o700)
	set, _, err := Runtime(Options{Includes: []string{src + ":/srv/app"}})
	if err != nil {
		t.Fatal(err)
	}
	files := byPath(set)
	want := map[string]fs.FileMode{
		"/srv":               fs.ModeDir | 0o755,
		"/srv/app":           fs.ModeDir | 0o755,
		"/srv/app/sub":       fs.ModeDir | 0o755,
		"/srv/app/sub/a.txt": 0o644,
		"/srv/app/run.sh":    0o755,
	}
	for p, mode := range want {
		if files[p].Mode != mode {
			t.Errorf("%s mode = %v, want %v", p, files[p].Mode, mode)
		}
	}
}

func TestWriteDir(t *testing.T) {
	root := sysroot(t)
	set, _, err := Runtime(Options{Root: root, System: true, Libraries: []string{"/lib/x86_64-linux-gnu/libfoo.so.1"}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "stage")
	if err := WriteDir(context.Background(), out, set.Files()); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(filepath.Join(out, "lib/x86_64-linux-gnu/libfoo.so.1")); err != nil || target != "/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3" {
		t.Errorf("symlink = %q, %v", target, err)
	}
	if info, err := os.Stat(filepath.Join(out, "tmp")); err != nil || info.Mode()&fs.ModeSticky == 0 || info.Mode().Perm() != 0o777 {
		t.Errorf("/tmp = %v, %v", info, err)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3")); string(data) != "foo" {
		t.Errorf("libfoo content = %q", data)
	}
	if err := WriteDir(context.Background(), out, set.Files()); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second WriteDir err = %v, want refusal", err)
	}
}

func TestWriteDirFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "stage")
	err := WriteDir(context.Background(), out, []fileset.File{{Path: "/x", Source: filepath.Join(parent, "missing"), Mode: 0o644}})
	if err == nil {
		t.Fatal("no error for a missing source")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func keys(m map[string]fileset.File) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWriteDirRefusesUserFiles: `stage --out` given a file, a symbolic link
// or a non-empty directory leaves it as it was.
func TestWriteDirRefusesUserFiles(t *testing.T) {
	files := []fileset.File{{Path: "/etc", Mode: fs.ModeDir | 0o755}}
	cases := []struct {
		name    string
		setup   func(t *testing.T, out string)
		wantErr string
	}{
		{"a file", func(t *testing.T, out string) { os.WriteFile(out, []byte("[package]\n"), 0o644) }, "existing file"},
		{"a symlink to a directory", func(t *testing.T, out string) { os.Symlink(t.TempDir(), out) }, "symbolic link"},
		{"a dangling symlink", func(t *testing.T, out string) { os.Symlink(filepath.Join(t.TempDir(), "none"), out) }, "symbolic link"},
		{"a directory with a file", func(t *testing.T, out string) {
			os.Mkdir(out, 0o755)
			os.WriteFile(filepath.Join(out, "keep"), []byte("x"), 0o644)
		}, "not empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "Cargo.toml")
			c.setup(t, out)
			before, _ := os.Lstat(out)
			err := WriteDir(context.Background(), out, files)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("WriteDir = %v, want an error containing %q", err, c.wantErr)
			}
			after, _ := os.Lstat(out)
			if after == nil || after.Mode() != before.Mode() || after.Size() != before.Size() {
				t.Errorf("%s changed: %v -> %v", out, before, after)
			}
		})
	}
}

// TestNonrootHome: /home/nonroot belongs to 65532 with mode 0700, as in
// distroless, in the file set and (as root) in a staged directory.
func TestNonrootHome(t *testing.T) {
	set, _, err := Runtime(Options{Root: sysroot(t), System: true})
	if err != nil {
		t.Fatal(err)
	}
	var home *fileset.File
	for _, f := range set.Files() {
		if f.Path == "/home/nonroot" {
			home = &f
		}
	}
	if home == nil || home.UID != NonrootID || home.GID != NonrootID || home.Mode.Perm() != 0o700 {
		t.Fatalf("/home/nonroot = %+v, want 65532:65532 0700", home)
	}
	if os.Geteuid() != 0 {
		t.Skip("staged ownership needs root (stage runs as root in a Docker builder)")
	}
	out := filepath.Join(t.TempDir(), "stage")
	if err := WriteDir(context.Background(), out, set.Files()); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(out, "home/nonroot"))
	if err != nil {
		t.Fatal(err)
	}
	if st := info.Sys().(*syscall.Stat_t); st.Uid != NonrootID || st.Gid != NonrootID {
		t.Errorf("staged /home/nonroot owned by %d:%d", st.Uid, st.Gid)
	}
}

// TestIncludeSymlinks: a link at SRC is followed; inside a tree a relative
// link within it stays a link, and a link out of it becomes the file it
// points to (a link to a host path would dangle in the image).
func TestIncludeSymlinks(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "prod.toml")
	os.WriteFile(secret, []byte("port = 8080"), 0o600)
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "real.txt"), []byte("r"), 0o644)
	os.Symlink("real.txt", filepath.Join(src, "alias.txt"))
	os.Symlink(secret, filepath.Join(src, "config.toml"))
	os.Symlink(filepath.Join(outside, "missing"), filepath.Join(src, "dangling"))
	linkToFile := filepath.Join(t.TempDir(), "config-link")
	os.Symlink(secret, linkToFile)

	set, _, err := Runtime(Options{Includes: []string{linkToFile + ":/etc/app.toml"}})
	if err != nil {
		t.Fatal(err)
	}
	if f := byPath(set)["/etc/app.toml"]; f.IsSymlink() || f.Source == "" {
		t.Errorf("/etc/app.toml = %+v, want the file the link points to", f)
	}
	_, _, err = Runtime(Options{Includes: []string{src + ":/srv"}})
	if err == nil || !strings.Contains(err.Error(), "dangling") {
		t.Fatalf("dangling link in a tree: err = %v, want it named", err)
	}
	os.Remove(filepath.Join(src, "dangling"))
	set, _, err = Runtime(Options{Includes: []string{src + ":/srv"}})
	if err != nil {
		t.Fatal(err)
	}
	files := byPath(set)
	if f := files["/srv/alias.txt"]; !f.IsSymlink() || f.Link != "real.txt" {
		t.Errorf("/srv/alias.txt = %+v, want a link to real.txt", f)
	}
	if f := files["/srv/config.toml"]; f.IsSymlink() || f.Mode != 0o644 {
		t.Errorf("/srv/config.toml = %+v, want a regular file", f)
	}
}
