package pipeline

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// baseWith is a base image of one layer holding files (path: content).
func baseWith(t *testing.T, files map[string]string) v1.Image {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestCheckOnBaseUser: a user name must be in the base image's
// /etc/passwd (and a group in its /etc/group), else the container cannot
// start; numbers always work.
func TestCheckOnBaseUser(t *testing.T) {
	bin := hostBinary(t)
	base := baseWith(t, map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
		"etc/group":  "root:x:0:\napp:x:1000:\n",
	})
	tests := []struct {
		user string
		want string // "" for no error
	}{
		{"app", ""},
		{"app:app", ""},
		{"1234:1234", ""},
		{"nobody", `user "nobody" is not in base image test's /etc/passwd`},
		{"app:staff", `group "staff" is not in base image test's /etc/group`},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			_, err := checkOnBase(context.Background(), base, bin, "test", tt.user)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !IsInput(err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("checkOnBase(%q) = %v, want an input error with %q", tt.user, err, tt.want)
			}
		})
	}
	if _, err := checkOnBase(context.Background(), baseWith(t, map[string]string{"etc/hostname": "x\n"}), bin, "bare", "app"); err == nil || !strings.Contains(err.Error(), "/etc/passwd") {
		t.Errorf("a base without /etc/passwd: err = %v, want the user refused", err)
	}
}
