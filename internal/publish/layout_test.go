package publish

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func TestOCILayoutRoundtrip(t *testing.T) {
	img := testImage(t, randomLayers(t, 2)...)
	d := digestOf(t, img)
	tests := []struct {
		name      string
		tags      []name.Tag
		lines     func(dir string) []string
		refNames  []string
		fullNames []string
	}{
		{"untagged", nil, func(dir string) []string { return []string{dir + "@" + d} }, []string{""}, []string{""}},
		{"tagged", tags(t, "app", "127.0.0.1:5000/team/app:v1", "app:latest"),
			func(string) []string {
				return []string{"app:latest@" + d, "127.0.0.1:5000/team/app:v1@" + d, "app:latest@" + d}
			},
			[]string{"latest", "v1"}, // the repeated tag is listed once
			[]string{"index.docker.io/library/app:latest", "127.0.0.1:5000/team/app:v1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out", "image")
			lines, err := strs(OCILayout(dir).Publish(context.Background(), single(img), tt.tags))
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.lines(dir); !reflect.DeepEqual(lines, want) {
				t.Errorf("lines = %q, want %q", lines, want)
			}
			idx, err := layout.ImageIndexFromPath(dir)
			if err != nil {
				t.Fatal(err)
			}
			im, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			var refNames, fullNames []string
			for _, desc := range im.Manifests {
				refNames = append(refNames, desc.Annotations[RefNameAnnotation])
				fullNames = append(fullNames, desc.Annotations[ContainerdNameAnnotation])
				if desc.Digest.String() != d || desc.Platform == nil || desc.Platform.Architecture != "amd64" || desc.ArtifactType != "" {
					t.Errorf("descriptor %+v, want digest %s, platform linux/amd64 and no artifact type", desc, d)
				}
			}
			if !reflect.DeepEqual(refNames, tt.refNames) || !reflect.DeepEqual(fullNames, tt.fullNames) {
				t.Errorf("ref names = %q / %q, want %q / %q", refNames, fullNames, tt.refNames, tt.fullNames)
			}
			got, err := idx.Image(im.Manifests[0].Digest)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(got); err != nil {
				t.Errorf("validate.Image: %v", err)
			}
			assertNoTemp(t, filepath.Dir(dir))
		})
	}
}

func TestOCILayoutReplaces(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "image")
	other := filepath.Join(t.TempDir(), "image")
	img := testImage(t, randomLayers(t, 2)...)
	old := testImage(t, randomLayers(t, 1)...)
	publish := func(dir string, img v1.Image) []byte {
		t.Helper()
		if _, err := OCILayout(dir).Publish(context.Background(), single(img), tags(t, "app:v1")); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "index.json"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	publish(dir, old)
	replaced, fresh := publish(dir, img), publish(other, img)
	if !bytes.Equal(replaced, fresh) {
		t.Errorf("index.json differs between a replaced and a fresh layout:\n%s\n%s", replaced, fresh)
	}
	if again := publish(dir, img); !bytes.Equal(again, fresh) {
		t.Errorf("index.json differs between two runs")
	}
	// Only the new image's blobs (2 layers, config, manifest) remain.
	blobs, err := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	if len(blobs) != 4 {
		t.Errorf("%d blobs, want 4: the old layout was not replaced", len(blobs))
	}
	assertNoTemp(t, parent)
}

func TestOCILayoutRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, target string)
		img   func(t *testing.T) v1.Image
		want  string
	}{
		{"regular file", func(t *testing.T, p string) { write(t, p, "hello") }, nil, "is not a directory (a regular file)"},
		{"foreign directory", func(t *testing.T, p string) { write(t, filepath.Join(p, "notes.txt"), "mine") }, nil, "not an OCI image layout"},
		{"symlink", func(t *testing.T, p string) {
			if err := os.Symlink(t.TempDir(), p); err != nil {
				t.Fatal(err)
			}
		}, nil, "symlink"},
		{"broken image over a layout", func(t *testing.T, p string) {
			if _, err := OCILayout(p).Publish(context.Background(), single(testImage(t, randomLayers(t, 1)...)), nil); err != nil {
				t.Fatal(err)
			}
		}, brokenImage, "broken layer"},
		{"broken image, no target", func(*testing.T, string) {}, brokenImage, "broken layer"},
		{"a layout berth did not write", foreignLayout, nil, "berth did not write"},
		{"a user's file in berth's layout", func(t *testing.T, p string) {
			if _, err := OCILayout(p).Publish(context.Background(), single(testImage(t, randomLayers(t, 1)...)), nil); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(p, "NOTES.txt"), "mine")
		}, nil, "holds NOTES.txt, which is not part of an OCI layout"},
		{"a user's file among berth's blobs", func(t *testing.T, p string) {
			if _, err := OCILayout(p).Publish(context.Background(), single(testImage(t, randomLayers(t, 1)...)), nil); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(p, "blobs", "sha256", "notes.txt"), "mine")
		}, nil, "which is not a blob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			target := filepath.Join(parent, "out")
			tt.setup(t, target)
			before := snapshot(t, parent)
			img := testImage(t, randomLayers(t, 1)...)
			if tt.img != nil {
				img = tt.img(t)
			}
			_, err := OCILayout(target).Publish(context.Background(), single(img), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if after := snapshot(t, parent); !reflect.DeepEqual(before, after) {
				t.Errorf("the failed publish changed %s:\nbefore %q\nafter  %q", parent, before, after)
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot lists every path under root with its content (files) or target
// (symlinks).
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			out[p], err = os.Readlink(p)
		case fi.Mode().IsRegular():
			var b []byte
			b, err = os.ReadFile(p)
			out[p] = string(b)
		default:
			out[p] = fi.Mode().String()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// foreignLayout writes an OCI layout at p as another tool would: no berth
// annotation on its index.
func foreignLayout(t *testing.T, p string) {
	t.Helper()
	if _, err := layout.Write(p, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: testImage(t, randomLayers(t, 1)...)})); err != nil {
		t.Fatal(err)
	}
}

// TestOCILayoutForce: --force replaces a layout another tool wrote, and the
// new layout is then berth's.
func TestOCILayoutForce(t *testing.T) {
	target := filepath.Join(t.TempDir(), "out")
	foreignLayout(t, target)
	img := testImage(t, randomLayers(t, 1)...)
	if _, err := OCILayout(target, WithForce()).Publish(context.Background(), single(img), nil); err != nil {
		t.Fatalf("with --force: %v", err)
	}
	if !writtenByBerth(target) {
		t.Errorf("the new layout has no %s annotation", LayoutAnnotation)
	}
	if _, err := OCILayout(target).Publish(context.Background(), single(img), nil); err != nil {
		t.Errorf("replacing berth's own layout: %v", err)
	}
}

// unreadLayer opens but fails on the first read of its bytes.
type unreadLayer struct{ v1.Layer }

func (unreadLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(iotest.ErrReader(errBroken)), nil
}

// A layout written again reuses the blobs of the old one that still hold
// their digest (a hard link, not a copy), and never a damaged one.
func TestOCILayoutReusesBlobs(t *testing.T) {
	layers := randomLayers(t, 1)
	img := testImage(t, layers...)
	digest, err := layers[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		damage  bool     // the old layout's layer blob is changed in place
		again   v1.Image // what is published the second time
		wantErr bool
	}{
		// The layer cannot be read: publishing works only if it is reused.
		{name: "unchanged layer linked, not read", again: testImage(t, unreadLayer{layers[0]})},
		{name: "damaged blob not reused", damage: true, again: img},
		{name: "damaged blob, layer unreadable", damage: true, again: testImage(t, unreadLayer{layers[0]}), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "image")
			if _, err := OCILayout(dir).Publish(context.Background(), single(img), tags(t, "app:v1")); err != nil {
				t.Fatal(err)
			}
			blob := filepath.Join(dir, "blobs", "sha256", digest.Hex)
			good, err := os.ReadFile(blob)
			if err != nil {
				t.Fatal(err)
			}
			if tt.damage {
				bad := bytes.Clone(good)
				bad[len(bad)/2] ^= 0xff
				if err := os.WriteFile(blob, bad, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err = OCILayout(dir).Publish(context.Background(), single(tt.again), tags(t, "app:v1"))
			if (err != nil) != tt.wantErr {
				t.Fatalf("second publish: %v, want an error: %v", err, tt.wantErr)
			}
			if got, _ := os.ReadFile(blob); !bytes.Equal(got, good) && !tt.wantErr {
				t.Error("the layout holds a layer blob that does not match its digest")
			}
		})
	}
}
