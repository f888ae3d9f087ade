package fileset

import (
	"io/fs"
	"strings"
	"testing"
)

func TestAddAndFiles(t *testing.T) {
	var s Set
	for _, f := range []File{
		{Path: "/usr/local/bin/app", Mode: 0o755, Source: "/host/app"},
		{Path: "/etc/passwd", Mode: 0o644, Data: []byte("root")},
		{Path: "/etc/passwd", Mode: 0o644, Data: []byte("root")}, // same again: no-op
		{Path: "/tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777},
	} {
		if err := s.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, f := range s.Files() {
		got = append(got, f.Path)
	}
	want := "/etc /etc/passwd /tmp /usr /usr/local /usr/local/bin /usr/local/bin/app"
	if strings.Join(got, " ") != want {
		t.Errorf("Files() = %v, want %s (sorted, parents implied)", got, want)
	}
	if s.Len() != 3 || !s.Has("/tmp") || s.Has("/usr") {
		t.Errorf("Len/Has: %d %v %v", s.Len(), s.Has("/tmp"), s.Has("/usr"))
	}
}

func TestAddRejects(t *testing.T) {
	tests := []struct {
		name string
		f    File
		want string
	}{
		{"relative", File{Path: "etc/passwd"}, "absolute"},
		{"unclean", File{Path: "/etc/../passwd"}, "clean"},
		{"root", File{Path: "/"}, "root"},
		{"conflict", File{Path: "/a", Mode: 0o644, Data: []byte("two")}, "two different files for /a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Set
			s.Add(File{Path: "/a", Mode: 0o644, Data: []byte("one")})
			if err := s.Add(tt.f); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Add(%+v) = %v, want error with %q", tt.f, err, tt.want)
			}
		})
	}
}

// TestAddRefusesParentClash: a file or symlink cannot be a parent of
// another path, in either order of adding (--include FILE:/lib64 with the
// loader under /lib64 made a layer docker load refuses).
func TestAddRefusesParentClash(t *testing.T) {
	loader := File{Path: "/lib64/ld-linux-x86-64.so.2", Mode: fs.ModeSymlink | 0o777, Link: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"}
	fileAtLib64 := File{Path: "/lib64", Mode: 0o644, Source: "/host/notes"}
	linkAtEtc := File{Path: "/etc", Mode: fs.ModeSymlink | 0o777, Link: "/srv/etc"}
	passwd := File{Path: "/etc/passwd", Mode: 0o644, Data: []byte("root")}
	tests := []struct {
		name  string
		files []File
		want  string // "" for no error
	}{
		{"file over a parent, added after", []File{loader, fileAtLib64}, "/lib64 (from \"/host/notes\") is not a directory"},
		{"file over a parent, added before", []File{fileAtLib64, loader}, "cannot be under /lib64"},
		{"symlink as a parent", []File{linkAtEtc, passwd}, "cannot be under /etc"},
		{"symlink as a parent, added after", []File{passwd, linkAtEtc}, "is not a directory"},
		{"deep parent", []File{{Path: "/a", Mode: 0o644}, {Path: "/a/b/c", Mode: 0o644}}, "cannot be under /a"},
		{"directory as a parent", []File{{Path: "/tmp", Mode: fs.ModeDir | 0o777}, {Path: "/tmp/x", Mode: 0o644}}, ""},
		{"directory added after its child", []File{{Path: "/tmp/x", Mode: 0o644}, {Path: "/tmp", Mode: fs.ModeDir | 0o777}}, ""},
		{"siblings sharing a prefix", []File{{Path: "/lib", Mode: 0o644}, {Path: "/lib64/x", Mode: 0o644}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Set
			var err error
			for _, f := range tt.files {
				if err = s.Add(f); err != nil {
					break
				}
			}
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Add = %v, want %q", err, tt.want)
			}
		})
	}
}
