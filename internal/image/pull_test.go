package image

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

var (
	amd64 = v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = v1.Platform{OS: "linux", Architecture: "arm64"}
	s390x = v1.Platform{OS: "linux", Architecture: "s390x"}
)

func platformImage(t *testing.T, p v1.Platform) v1.Image {
	t.Helper()
	img, err := random.Image(32, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = p.OS, p.Architecture
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

func multiPlatform(t *testing.T, imgs map[string]v1.Image) v1.ImageIndex {
	t.Helper()
	idx := v1.ImageIndex(empty.Index)
	for _, p := range []v1.Platform{amd64, arm64} {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: imgs[p.Architecture], Descriptor: v1.Descriptor{Platform: &p}})
	}
	return idx
}

func TestPullRegistry(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	imgs := map[string]v1.Image{"amd64": platformImage(t, amd64), "arm64": platformImage(t, arm64)}
	if err := remote.WriteIndex(ref(t, host+"/base:multi"), multiPlatform(t, imgs)); err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref(t, host+"/base:amd64"), imgs["amd64"]); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		ref      string
		platform v1.Platform
		want     v1.Image
		err      string
	}{
		{ref: host + "/base:multi", platform: arm64, want: imgs["arm64"]},
		{ref: host + "/base:multi", platform: amd64, want: imgs["amd64"]},
		{ref: host + "/base:amd64", platform: amd64, want: imgs["amd64"]},
		{ref: host + "/base:amd64", platform: arm64, err: "image is for linux/amd64, want linux/arm64"},
		{ref: host + "/base:multi", platform: s390x, err: "pulling base image"},
		{ref: host + "/base:missing", platform: amd64, err: "check the name"},
		{ref: "Not A Ref", platform: amd64, err: "not a valid reference"},
	}
	for _, tt := range tests {
		t.Run(tt.ref+" "+tt.platform.String(), func(t *testing.T) {
			img, err := Pull(context.Background(), tt.ref, tt.platform)
			checkPull(t, img, err, tt.want, tt.err)
		})
	}
}

func checkPull(t *testing.T, img v1.Image, err error, want v1.Image, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error = %v, want it to contain %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, img) != digest(t, want) {
		t.Errorf("pulled the wrong image")
	}
}

func TestPullLayout(t *testing.T) {
	imgs := map[string]v1.Image{"amd64": platformImage(t, amd64), "arm64": platformImage(t, arm64)}
	single := filepath.Join(t.TempDir(), "single")
	// The same image under two tags counts once.
	lp, err := layout.Write(single, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"latest", "v1"} {
		if err := lp.AppendImage(imgs["amd64"], layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag})); err != nil {
			t.Fatal(err)
		}
	}
	multi := filepath.Join(t.TempDir(), "multi")
	if _, err := layout.Write(multi, empty.Index); err != nil {
		t.Fatal(err)
	}
	if err := layout.Path(multi).AppendIndex(multiPlatform(t, imgs)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		ref      string
		platform v1.Platform
		want     v1.Image
		err      string
	}{
		{"single", "oci:" + single, amd64, imgs["amd64"], ""},
		{"single, any platform", "oci:" + single, v1.Platform{}, imgs["amd64"], ""},
		{"single, wrong platform", "oci:" + single, arm64, nil, "has no image for linux/arm64 (it holds: linux/amd64 sha256:"},
		{"nested index", "oci:" + multi, arm64, imgs["arm64"], ""},
		{"ambiguous", "oci:" + multi, v1.Platform{}, nil, "has 2 images"},
		{"not a layout", "oci:" + t.TempDir(), amd64, nil, "is it a directory with oci-layout"},
		{"no dir", "oci:", amd64, nil, "names no directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Pull(context.Background(), tt.ref, tt.platform)
			checkPull(t, img, err, tt.want, tt.err)
		})
	}
}

func ref(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
