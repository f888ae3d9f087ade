package publish

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// pushPlatform pushes a random image whose config names platform (none
// when it is "") to repo by digest, and returns that digest reference.
func pushPlatform(t *testing.T, repo, platform string) name.Digest {
	t.Helper()
	img, err := random.Image(256, 2)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, _ = strings.Cut(platform, "/")
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	ref, err := name.NewDigest(repo + "@" + d.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestMergeIndex: the index lists the images in order with their configs'
// platforms, uploads no blob (same repository) or mounts them (another
// one), and is the same on a second run.
func TestMergeIndex(t *testing.T) {
	reg := newRegistry(t)
	host := strings.TrimPrefix(reg.URL, "http://")
	amd, arm := pushPlatform(t, host+"/app", "linux/amd64"), pushPlatform(t, host+"/app", "linux/arm64")
	var digests []v1.Hash
	for _, repo := range []string{"app", "app", "other"} {
		before := reg.uploads.Load()
		tag := mustTag(t, host+"/"+repo+":1")
		out, err := MergeIndex(context.Background(), []name.Digest{amd, arm}, []name.Tag{tag})
		if err != nil {
			t.Fatal(err)
		}
		if n := reg.uploads.Load() - before; n != 0 {
			t.Errorf("merging into %s uploaded %d blobs, want 0", repo, n)
		}
		idx, err := remote.Index(tag)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := idx.IndexManifest()
		if len(m.Manifests) != 2 || m.Manifests[0].Platform.String() != "linux/amd64" || m.Manifests[1].Platform.String() != "linux/arm64" || m.Manifests[1].Digest.String() != arm.DigestStr() {
			t.Errorf("index in %s = %+v", repo, m.Manifests)
		}
		digests = append(digests, out[0].Digest)
	}
	if digests[0] != digests[1] || digests[1] != digests[2] {
		t.Errorf("the same images gave index digests %v", digests)
	}
}

func TestMergeIndexRefuses(t *testing.T) {
	reg := newRegistry(t)
	host := strings.TrimPrefix(reg.URL, "http://")
	amd, none := pushPlatform(t, host+"/app", "linux/amd64"), pushPlatform(t, host+"/app", "")
	tag := mustTag(t, host+"/app:1")
	if _, err := MergeIndex(context.Background(), []name.Digest{amd}, []name.Tag{tag}); err != nil {
		t.Fatal(err)
	}
	idx, _ := remote.Index(tag)
	d, _ := idx.Digest()
	ofIndex, _ := name.NewDigest(host + "/app@" + d.String())
	for _, tc := range []struct {
		name    string
		sources []name.Digest
		tags    []name.Tag
		want    string
	}{
		{"an index", []name.Digest{ofIndex}, []name.Tag{tag}, "is an index, not one platform's image"},
		{"no platform", []name.Digest{none}, []name.Tag{tag}, "names no platform in its config"},
		{"same platform twice", []name.Digest{amd, amd}, []name.Tag{tag}, "two images for platform linux/amd64"},
		{"no tag", []name.Digest{amd}, nil, "needs at least one -t/--tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := MergeIndex(context.Background(), tc.sources, tc.tags)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func mustTag(t *testing.T, s string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(s)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}
