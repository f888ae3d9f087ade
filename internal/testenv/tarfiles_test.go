package testenv

import (
	"archive/tar"
	"bytes"
	"reflect"
	"testing"
)

func TestTarFiles(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "./", Typeflag: tar.TypeDir},
		{Name: "etc/", Typeflag: tar.TypeDir},
		{Name: "/etc/passwd", Typeflag: tar.TypeReg, Size: 5},
		{Name: "lib64", Typeflag: tar.TypeSymlink, Linkname: "usr/lib64"},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("root\n"))
		}
	}
	tw.Close()
	got, err := TarFiles(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"etc": 0, "etc/passwd": 5, "lib64": 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TarFiles = %v, want %v", got, want)
	}
	if _, err := TarFiles(bytes.NewReader(bytes.Repeat([]byte("not a tar "), 100))); err == nil {
		t.Error("garbage read as a tar archive")
	}
}
