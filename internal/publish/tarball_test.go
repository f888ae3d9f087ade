package publish

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func TestTarballRoundtrip(t *testing.T) {
	img := testImage(t, randomLayers(t, 2)...)
	d := digestOf(t, img)
	path := filepath.Join(t.TempDir(), "sub", "image.tar")
	tt := tags(t, "app", "127.0.0.1:5000/team/app:v1")
	// The second publish replaces the tar archive the first one wrote.
	for range 2 {
		lines, err := strs(Tarball(path).Publish(context.Background(), single(img), tt))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"app:latest@" + d, "127.0.0.1:5000/team/app:v1@" + d}; !reflect.DeepEqual(lines, want) {
			t.Errorf("lines = %q, want %q", lines, want)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
	}
	for _, tag := range tt {
		got, err := tarball.ImageFromPath(path, &tag)
		if err != nil {
			t.Fatalf("reading %s back: %v", tag, err)
		}
		if err := validate.Image(got); err != nil {
			t.Errorf("validate.Image: %v", err)
		}
		// docker-archive keeps config and layer blobs, not the manifest.
		if sameBlobs(t, got, img) != true {
			t.Errorf("%s: config or layers differ from the published image", tag)
		}
	}
	assertNoTemp(t, filepath.Dir(path))
}

func sameBlobs(t *testing.T, a, b v1.Image) bool {
	t.Helper()
	blobs := func(img v1.Image) []string {
		c, err := img.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		out := []string{c.String()}
		ls, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			d, err := l.Digest()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d.String())
		}
		return out
	}
	return reflect.DeepEqual(blobs(a), blobs(b))
}

func TestTarballRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, target string)
		img   func(t *testing.T) v1.Image
		tags  []name.Tag
		want  string
	}{
		{"no tag", func(*testing.T, string) {}, nil, nil, "needs at least one tag"},
		{"not a tar", func(t *testing.T, p string) { write(t, p, strings.Repeat("precious ", 100)) }, nil, tags(t, "app"), "is not a tar archive"},
		{"short file", func(t *testing.T, p string) { write(t, p, "x") }, nil, tags(t, "app"), "is not a tar archive"},
		{"directory", func(t *testing.T, p string) { write(t, filepath.Join(p, "f"), "x") }, nil, tags(t, "app"), "is not a regular file"},
		{"broken image over a tar", func(t *testing.T, p string) {
			if _, err := Tarball(p).Publish(context.Background(), single(testImage(t, randomLayers(t, 1)...)), tags(t, "old")); err != nil {
				t.Fatal(err)
			}
		}, brokenImage, tags(t, "app"), "broken layer"},
		{"broken image, no target", func(*testing.T, string) {}, brokenImage, tags(t, "app"), "broken layer"},
		{"a tar berth did not write", foreignTar, nil, tags(t, "app"), "berth did not write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			target := filepath.Join(parent, "image.tar")
			tt.setup(t, target)
			before := snapshot(t, parent)
			img := testImage(t, randomLayers(t, 1)...)
			if tt.img != nil {
				img = tt.img(t)
			}
			_, err := Tarball(target).Publish(context.Background(), single(img), tt.tags)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if after := snapshot(t, parent); !reflect.DeepEqual(before, after) {
				t.Errorf("the failed publish changed %s:\nbefore %q\nafter  %q", parent, before, after)
			}
		})
	}
}

// TestTarballDeterministic: the same image and tags give the same bytes,
// however many tags (ggcr's writer ordered them by map iteration), and
// manifest.json lists the tags in the order given.
func TestTarballDeterministic(t *testing.T) {
	img := testImage(t, randomLayers(t, 2)...)
	tt := tags(t, "c:3", "a:1", "b:2", "d:4")
	dir := t.TempDir()
	var archives [][]byte
	for i := range 5 {
		path := filepath.Join(dir, fmt.Sprintf("%d.tar", i))
		if _, err := Tarball(path).Publish(context.Background(), single(img), tt); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		archives = append(archives, data)
	}
	for i, a := range archives[1:] {
		if !bytes.Equal(a, archives[0]) {
			t.Fatalf("archive %d differs from archive 0", i+1)
		}
	}
	if !bytes.Contains(archives[0], []byte(`"RepoTags":["c:3","a:1","b:2","d:4"]`)) {
		t.Errorf("manifest.json does not list the tags in the order given")
	}
}

// foreignTar writes a tar archive at p as tar(1) would.
func foreignTar(t *testing.T, p string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "backup.sql", Size: 3, Mode: 0o644, Format: tar.FormatUSTAR}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("sql"))
	tw.Close()
	write(t, p, buf.String())
}

// TestTarballForce: --force replaces a tar another tool wrote.
func TestTarballForce(t *testing.T) {
	target := filepath.Join(t.TempDir(), "image.tar")
	foreignTar(t, target)
	img := testImage(t, randomLayers(t, 1)...)
	if _, err := Tarball(target, WithForce()).Publish(context.Background(), single(img), tags(t, "app")); err != nil {
		t.Fatalf("with --force: %v", err)
	}
	if _, err := Tarball(target).Publish(context.Background(), single(img), tags(t, "app")); err != nil {
		t.Errorf("replacing berth's own tarball: %v", err)
	}
}
