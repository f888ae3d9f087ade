package publish

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/image"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// randomLayers returns n random OCI layers.
func randomLayers(t *testing.T, n int) []v1.Layer {
	t.Helper()
	var ls []v1.Layer
	for range n {
		l, err := random.Layer(1024, types.OCILayer)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	return ls
}

// testImage returns a linux/amd64 OCI image made of layers.
func testImage(t *testing.T, layers ...v1.Layer) v1.Image {
	t.Helper()
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.AppendLayers(img, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Entrypoint = []string{"/app"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

var errBroken = errors.New("broken layer")

// brokenLayer can describe itself but fails when its bytes are read, like a
// source file that vanishes or a disk that fills up mid-write.
type brokenLayer struct{ v1.Layer }

func (brokenLayer) Compressed() (io.ReadCloser, error)   { return nil, errBroken }
func (brokenLayer) Uncompressed() (io.ReadCloser, error) { return nil, errBroken }

func brokenImage(t *testing.T) v1.Image {
	t.Helper()
	return testImage(t, append(randomLayers(t, 1), brokenLayer{randomLayers(t, 1)[0]})...)
}

func tags(t *testing.T, refs ...string) []name.Tag {
	t.Helper()
	var out []name.Tag
	for _, r := range refs {
		tag, err := name.NewTag(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tag)
	}
	return out
}

func digestOf(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// assertNoTemp fails if berth left temporary files in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), atomicfile.TempPrefix) {
			t.Errorf("temporary %s left behind", filepath.Join(dir, e.Name()))
		}
	}
}

// single is the artifact of a one-platform build of img, with atts.
func single(img v1.Image, atts ...image.Attachment) *image.Artifact {
	return &image.Artifact{Images: []image.Platformed{{Image: img, Platform: v1.Platform{OS: "linux", Architecture: "amd64"}, Attachments: atts}}}
}

// strs is what berth prints for what a sink published.
func strs(ps []Published, err error) ([]string, error) {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out, err
}

type fakeSink struct {
	refs   []string
	err    error
	called *bool
}

func (fakeSink) Check() error { return nil }

func (f fakeSink) Publish(context.Context, *image.Artifact, []name.Tag) ([]Published, error) {
	*f.called = true
	var out []Published
	for _, r := range f.refs {
		out = append(out, Published{Ref: r})
	}
	return out, f.err
}

func TestMulti(t *testing.T) {
	img := testImage(t, randomLayers(t, 1)...)
	var a, b, c bool
	tests := []struct {
		name      string
		pubs      []Sink
		want      []string
		wantErr   bool
		notCalled *bool
	}{
		{"all succeed", []Sink{
			fakeSink{refs: []string{"a"}, called: &a},
			fakeSink{refs: []string{"b1", "b2"}, called: &b},
		}, []string{"a@:", "b1@:", "b2@:"}, false, nil},
		{"stops at the first error", []Sink{
			fakeSink{refs: []string{"a"}, called: &a},
			fakeSink{err: errBroken, called: &b},
			fakeSink{refs: []string{"c"}, called: &c},
		}, []string{"a@:"}, true, &c},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, c = false, false, false
			got, err := strs(Multi(tt.pubs...).Publish(context.Background(), single(img), nil))
			if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Publish = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
			if tt.notCalled != nil && *tt.notCalled {
				t.Errorf("a publisher after the failing one was called")
			}
		})
	}
}

// TestOpenChecksFirst: a bad later output fails when the outputs are
// opened, before anything is built or an earlier output replaced.
func TestOpenChecksFirst(t *testing.T) {
	parent := t.TempDir()
	layoutDir := filepath.Join(parent, "layout")
	img := testImage(t, randomLayers(t, 1)...)
	if _, err := OCILayout(layoutDir).Publish(context.Background(), single(img), nil); err != nil {
		t.Fatal(err)
	}
	notATar := filepath.Join(parent, "notes.txt")
	if err := os.WriteFile(notATar, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, parent)
	_, err := Open(Outputs{Layout: layoutDir, Tarball: notATar})
	if err == nil || !strings.Contains(err.Error(), "not a tar archive") {
		t.Fatalf("error = %v, want the tarball refused", err)
	}
	if after := snapshot(t, parent); !reflect.DeepEqual(before, after) {
		t.Errorf("the layout was replaced before the tarball was refused")
	}
}
