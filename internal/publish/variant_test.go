package publish

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/berth-dev/berth/internal/image"
)

// withVariant is a one-image artifact and its -debug variant: the image
// plus one layer, as the debug variant is made.
func withVariant(t *testing.T) (*image.Artifact, v1.Image, v1.Image) {
	t.Helper()
	main := testImage(t, randomLayers(t, 2)...)
	debug, err := mutate.AppendLayers(main, randomLayers(t, 1)...)
	if err != nil {
		t.Fatal(err)
	}
	art := single(main)
	if err := art.AddVariant("-debug", []image.Platformed{{Image: debug, Platform: art.Images[0].Platform}}); err != nil {
		t.Fatal(err)
	}
	return art, main, debug
}

// TestVariantSinks publishes an artifact with a variant to every kind of
// output: each holds both, the variant under the tags with its suffix,
// and says so in what it returns.
func TestVariantSinks(t *testing.T) {
	art, main, debug := withVariant(t)
	reg := newRegistry(t)
	dir := t.TempDir()
	ref := reg.host() + "/team/app:1"
	want := []string{ref + "@" + digestOf(t, main), ref + "-debug@" + digestOf(t, debug)}
	sinks := map[string]Sink{
		"layout": OCILayout(filepath.Join(dir, "layout")), "tarball": Tarball(filepath.Join(dir, "img.tar")), "registry": Registry(),
	}
	for name, s := range sinks {
		t.Run(name, func(t *testing.T) {
			got, err := strs(s.Publish(context.Background(), art, tags(t, ref)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("published %v, want %v", got, want)
			}
		})
	}
	debugTag := tags(t, ref+"-debug")[0]
	fromTar, err := tarball.ImageFromPath(filepath.Join(dir, "img.tar"), &debugTag)
	if err != nil {
		t.Fatal(err)
	}
	// A docker-archive keeps the config and layers; the manifest is docker's.
	got, _ := fromTar.ConfigName()
	if want, _ := debug.ConfigName(); got != want {
		t.Errorf("the docker-archive's %s-debug has config %s, want the variant's %s", ref, got, want)
	}
	idx, err := layout.ImageIndexFromPath(filepath.Join(dir, "layout"))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := idx.IndexManifest()
	if len(m.Manifests) != 2 || m.Manifests[1].Annotations[RefNameAnnotation] != "1-debug" {
		t.Errorf("layout index: %+v, want the image then the variant named 1-debug", m.Manifests)
	}
	if _, err := remote.Image(tags(t, ref+"-debug")[0]); err != nil {
		t.Errorf("the registry has no %s-debug: %v", ref, err)
	}
}
