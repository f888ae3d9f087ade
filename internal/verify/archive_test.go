package verify

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/provenance"
	"github.com/berth-dev/berth/internal/publish"
	"github.com/berth-dev/berth/internal/testenv"
)

// TestArchiveDigest: the image read back from a docker-archive berth wrote
// has the digest of the image written (OCI with gzip or zstd layers,
// Docker's types), and one changed byte in a layer gives another.
func TestArchiveDigest(t *testing.T) {
	docker, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]v1.Image{
		"oci gzip": ociImage(t, compression.GZip, types.OCILayer),
		"oci zstd": ociImage(t, compression.ZStd, types.OCILayerZStd),
		"docker":   docker,
	} {
		t.Run(name, func(t *testing.T) {
			want, err := img.Digest()
			if err != nil {
				t.Fatal(err)
			}
			file := writeArchive(t, img)
			s, err := load(context.Background(), "docker-archive:"+file)
			if err != nil {
				t.Fatal(err)
			}
			about := &provenance.Parsed{Subjects: []provenance.Subject{{Digest: want.String()}}}
			if ok, err := s.choose(about); !ok || err != nil || s.digest != want {
				t.Fatalf("read back as %s (about %v, %v), want %s", s.digest, ok, err, want)
			}
			alter(t, file)
			if s, err = load(context.Background(), "docker-archive:"+file); err != nil {
				t.Fatal(err)
			}
			if ok, _ := s.choose(about); ok || s.digest == want {
				t.Errorf("an altered archive reads as the image %s", s.digest)
			}
		})
	}
}

func ociImage(t *testing.T, c compression.Compression, mt types.MediaType, opts ...tarball.LayerOption) v1.Image {
	t.Helper()
	l, err := random.Layer(1024, types.OCIUncompressedLayer)
	if err != nil {
		t.Fatal(err)
	}
	l, err = tarball.LayerFromOpener(l.Uncompressed, append(opts, tarball.WithCompression(c), tarball.WithMediaType(mt))...)
	if err != nil {
		t.Fatal(err)
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, l); err != nil {
		t.Fatal(err)
	}
	return img
}

func writeArchive(t *testing.T, img v1.Image) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "app.tar")
	tag, err := name.NewTag("app:v1")
	if err != nil {
		t.Fatal(err)
	}
	art := &image.Artifact{Images: []image.Platformed{{Image: img}}}
	if _, err := publish.Tarball(file).Publish(context.Background(), art, []name.Tag{tag}); err != nil {
		t.Fatal(err)
	}
	return file
}

// alter replaces the archive's first layer blob with another layer's, as
// one would who changes a file in the image and saves the archive again
// without its config.
func alter(t *testing.T, file string) {
	t.Helper()
	entries, _, err := archiveIndex(file)
	if err != nil {
		t.Fatal(err)
	}
	other, err := random.Layer(1024, types.OCILayer)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := other.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	blob, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out, err := testenv.EditTar(bytes.NewReader(in), func(h *tar.Header, data []byte) []byte {
		if h.Name == entries[0].Layers[0] {
			return blob
		}
		return data
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestArchiveNeedsProvenance: a docker-archive holds no provenance, and
// --attest there needs --attest-out; both are said before any rebuild.
func TestArchiveNeedsProvenance(t *testing.T) {
	file := writeArchive(t, ociImage(t, compression.GZip, types.OCILayer))
	_, err := Run(context.Background(), Options{Image: "docker-archive:" + file})
	if err == nil || !strings.Contains(err.Error(), "--provenance FILE") {
		t.Errorf("no provenance: %v", err)
	}
	s, err := load(context.Background(), "docker-archive:"+file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openAttester(context.Background(), Options{Attest: true, Key: "k"}, s); err == nil || !strings.Contains(err.Error(), "--attest-out") {
		t.Errorf("--attest without --attest-out: %v", err)
	}
	if _, err := openAttester(context.Background(), Options{Key: "k"}, s); err == nil || !strings.Contains(err.Error(), "add --attest") {
		t.Errorf("--key without --attest: %v", err)
	}
}

// TestAlteredArchive: the reason given for an archive its provenance does
// not describe depends on what the rebuild gave.
func TestAlteredArchive(t *testing.T) {
	subj := "sha256:" + strings.Repeat("a", 64)
	prov := &provenance.Parsed{Subjects: []provenance.Subject{{Digest: subj}}}
	s := &subject{archive: "app.tar"}
	for _, tc := range []struct{ rebuilt, want string }{
		{subj, "the archive was changed after the build"},
		{"sha256:" + strings.Repeat("b", 64), "the provenance may be another image's"},
	} {
		if got := alteredArchive(s, prov, &Result{Rebuilt: tc.rebuilt}); !strings.Contains(got, "app.tar") || !strings.Contains(got, tc.want) {
			t.Errorf("rebuilt %s: %q, want it to name app.tar and say %q", tc.rebuilt, got, tc.want)
		}
	}
}

// TestSameContent: an archive whose layers are stored uncompressed (as
// `docker save` stores them) has another manifest digest, but the same
// config and layer contents as the image, which sameContent finds; a
// layer blob changed without its config is not the same content.
func TestSameContent(t *testing.T) {
	// Not go-containerregistry's default gzip level, which it would use
	// again on the uncompressed layers and so give the same bytes (berth's
	// pgzip does not).
	img := ociImage(t, compression.GZip, types.OCILayer, tarball.WithCompressionLevel(gzip.BestCompression))
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	file := writeArchive(t, img)
	in, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out, err := testenv.EditTar(bytes.NewReader(in), func(h *tar.Header, data []byte) []byte {
		if !strings.HasSuffix(h.Name, ".tar.gz") {
			return data
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	art := &image.Artifact{Images: []image.Platformed{{Image: img}}}
	for _, altered := range []bool{false, true} {
		if altered {
			alter(t, file)
		}
		s, err := load(context.Background(), "docker-archive:"+file)
		if err != nil {
			t.Fatal(err)
		}
		about := &provenance.Parsed{Subjects: []provenance.Subject{{Digest: want.String()}}}
		if ok, _ := s.choose(about); ok {
			t.Fatalf("altered %v: an archive of uncompressed layers has the image's manifest digest", altered)
		}
		d, same, err := sameContent(s.images[""], art)
		if err != nil || same == altered || (same && d != want) {
			t.Errorf("altered %v: sameContent = %s, %v, %v", altered, d, same, err)
		}
	}
}
