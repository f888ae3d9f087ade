package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestZstdImage builds hello-service with zstd layers: the same digest with
// the cache empty, full and off (flag or BERTH_COMPRESSION); the layout
// validates; it pushes to the local registry and pulls back with the same
// files as the gzip image.
func TestZstdImage(t *testing.T) {
	testenv.RequireCargo(t)
	reg := testenv.StartRegistry(t)
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(project, "Cargo.toml")
	dir := t.TempDir()
	t.Setenv("BERTH_CACHE_DIR", filepath.Join(dir, "cache"))
	mustBerth(t, "build", "--manifest-path", manifest, "--oci-layout", filepath.Join(dir, "gzip"))
	first := mustBerth(t, "build", "--manifest-path", manifest, "--compression", "zstd", "--oci-layout", filepath.Join(dir, "zstd"))
	second := mustBerth(t, "build", "--manifest-path", manifest, "--compression", "zstd", "--oci-layout", filepath.Join(dir, "zstd2"))
	t.Setenv("BERTH_CACHE_DIR", "off")
	t.Setenv("BERTH_COMPRESSION", "zstd")
	ref := reg + "/berth-e2e/zstd:1"
	third := mustBerth(t, "build", "--manifest-path", manifest, "--push", "-t", ref)
	for _, r := range []result{second, third} {
		if digestOf(t, r.stdout) != digestOf(t, first.stdout) {
			t.Errorf("zstd builds of the same input differ: %s vs %s", first.stdout, r.stdout)
		}
	}
	img := layoutImage(t, filepath.Join(dir, "zstd"))
	// validate.Image's layer check only knows gzip: the layers are checked
	// by checkLayers below.
	if err := validate.Image(img, validate.Fast); err != nil {
		t.Errorf("invalid zstd image: %v", err)
	}
	checkLayers(t, img, types.OCILayerZStd)
	pulled, err := remote.Image(mustRef(t, ref))
	if err != nil {
		t.Fatal(err)
	}
	checkLayers(t, pulled, types.OCILayerZStd)
	want := fileSizes(t, layoutImage(t, filepath.Join(dir, "gzip")))
	if got := fileSizes(t, pulled); !maps.Equal(got, want) {
		t.Errorf("pulled zstd image files %v, gzip image files %v", got, want)
	}
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// checkLayers checks each layer's media type and that its compressed and
// uncompressed streams hash to its digest and diff_id.
func checkLayers(t *testing.T, img v1.Image, mt types.MediaType) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range layers {
		if got, _ := l.MediaType(); got != mt {
			t.Errorf("layer %d: media type %s, want %s", i, got, mt)
		}
		digest, _ := l.Digest()
		diffID, _ := l.DiffID()
		for _, c := range []struct {
			open func() (io.ReadCloser, error)
			want v1.Hash
		}{{l.Compressed, digest}, {l.Uncompressed, diffID}} {
			rc, err := c.open()
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			_, err = io.Copy(h, rc)
			rc.Close()
			if err != nil || "sha256:"+hex.EncodeToString(h.Sum(nil)) != c.want.String() {
				t.Errorf("layer %d: stream does not hash to %s (%v)", i, c.want, err)
			}
		}
	}
}
