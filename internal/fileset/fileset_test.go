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
