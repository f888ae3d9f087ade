package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestHostileRuntimeImage builds the example with --runtime-from a crafted
// OCI layout whose layers try to write outside the extraction root (an
// absolute-name symlink to a directory on the build machine, then entries
// under it) or to smuggle a host file in (the loader as an absolute link
// to the host's). berth must refuse or take the image's own files, leave
// the canary directory as it was, and cache nothing.
func TestHostileRuntimeImage(t *testing.T) {
	offlineCargo(t)
	canary := t.TempDir()
	if err := os.WriteFile(filepath.Join(canary, "keep"), []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cached  bool
		entries []tarEntry // the extraction itself is whole: the image only lacks files
	}{
		{"symlink out, then entries under it", false, []tarEntry{
			{name: "/evil.so", typ: tar.TypeSymlink, link: canary},
			{name: "evil.so/victim.so", body: "pwned"},
			{name: "evil.so/ld.so.preload", body: "/evil.so/victim.so"},
		}},
		{"loader as an absolute link to the host's", true, []tarEntry{
			{name: "lib64", typ: tar.TypeDir},
			{name: "lib64/ld-linux-x86-64.so.2", typ: tar.TypeSymlink, link: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
		}},
	}
	project := filepath.Join(t.TempDir(), "hello-service")
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := t.TempDir()
			t.Setenv("BERTH_CACHE_DIR", cache)
			dir := hostileLayout(t, tt.entries)
			r := berth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--runtime-from", "oci:"+dir,
				"--oci-layout", filepath.Join(t.TempDir(), "out"))
			if r.code == 0 {
				t.Errorf("a build from a runtime image without the loader's files succeeded:\n%s", r.stderr)
			}
			if !strings.Contains(r.stderr, "error:") {
				t.Errorf("no clear error:\n%s", r.stderr)
			}
			entries, _ := os.ReadDir(canary)
			if data, _ := os.ReadFile(filepath.Join(canary, "keep")); len(entries) != 1 || string(data) != "untouched" {
				t.Errorf("the canary directory changed: %d entries, keep = %q", len(entries), data)
			}
			roots, _ := filepath.Glob(filepath.Join(cache, "runtime", "*", "root"))
			if !tt.cached && len(roots) != 0 {
				t.Errorf("roots were cached after a refused extraction: %v", roots)
			}
			for _, root := range roots {
				if fi, err := os.Lstat(filepath.Join(root, "lib64", "ld-linux-x86-64.so.2")); err == nil && fi.Mode().IsRegular() {
					t.Errorf("the cached root holds a regular loader: a host file was copied in")
				}
			}
			t.Log(r.stderr)
		})
	}
}

type tarEntry struct {
	name, body, link string
	typ              byte
}

// hostileLayout writes an OCI layout holding one image of one layer made
// of entries, in order.
func hostileLayout(t *testing.T, entries []tarEntry) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o755, Size: int64(len(e.body))}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithPlatform(v1.Platform{OS: "linux", Architecture: "amd64"})); err != nil {
		t.Fatal(err)
	}
	return dir
}
