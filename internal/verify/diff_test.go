package verify

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/berth-dev/berth/internal/provenance"
)

func TestInputDiffs(t *testing.T) {
	was := provenance.Build{Dependencies: provenance.Dependencies{
		Rustc:    &provenance.Rustc{Verbose: "release: 1.95.0\ncommit-hash: aaa\n"},
		Lockfile: &provenance.File{Path: "Cargo.lock", SHA256: "11"},
		Packages: []provenance.Package{{Platform: "linux/amd64", Name: "libc6", Version: "2.36-9"}},
	}}
	same := was
	now := provenance.Build{Dependencies: provenance.Dependencies{
		Rustc:    &provenance.Rustc{Verbose: "release: 1.96.0\ncommit-hash: bbb\n"},
		Lockfile: &provenance.File{Path: "Cargo.lock", SHA256: "22"},
		Packages: []provenance.Package{{Platform: "linux/amd64", Name: "libc6", Version: "2.36-10"}},
	}}
	if d := inputDiffs(was, &same); len(d) != 0 {
		t.Errorf("the same inputs differ: %v", d)
	}
	got := strings.Join(inputDiffs(was, &now), "\n")
	for _, want := range []string{"toolchain: built with 1.95.0", "lock file Cargo.lock", "libc6 (linux/amd64): 2.36-9 at the build, 2.36-10 now"} {
		if !strings.Contains(got, want) {
			t.Errorf("differences %q do not say %q", got, want)
		}
	}
}

func TestFileDiffs(t *testing.T) {
	a := layer(t, map[string]string{"usr/local/bin/app": "abc", "etc/passwd": "root"})
	b := layer(t, map[string]string{"usr/local/bin/app": "abd", "etc/passwd": "root", "tmp/x": ""})
	got, err := fileDiffs(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "  /tmp/x: only in the rebuild") || !strings.HasPrefix(got[1], "  /usr/local/bin/app: 3 bytes") {
		t.Errorf("fileDiffs = %q", got)
	}
}

func layer(t *testing.T, files map[string]string) v1.Layer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(data))
	}
	_ = tw.Close()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}
