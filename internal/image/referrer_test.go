package image

import (
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// TestReferrersOfIndex checks that an index's attachments become artifacts
// about the index, and each image's about the image.
func TestReferrersOfIndex(t *testing.T) {
	doc := func(kind string) Attachment {
		return Attachment{Kind: kind, ArtifactType: "application/vnd.in-toto+json", Data: []byte(`{"_type":"` + kind + `"}`), Created: time.Unix(0, 0)}
	}
	var imgs []Platformed
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, Platformed{Image: img, Platform: v1.Platform{OS: "linux", Architecture: arch}, Attachments: []Attachment{doc(KindProvenance)}})
	}
	art, err := NewArtifact(imgs)
	if err != nil {
		t.Fatal(err)
	}
	art.Attachments = []Attachment{doc(KindProvenance)}
	refs, err := art.Referrers()
	if err != nil {
		t.Fatal(err)
	}
	want := []partial.Describable{art.Index, imgs[0].Image, imgs[1].Image}
	if len(refs) != len(want) {
		t.Fatalf("%d referrers, want %d", len(refs), len(want))
	}
	for i, r := range refs {
		m, _ := r.Manifest()
		d, _ := want[i].Digest()
		if m.Subject == nil || m.Subject.Digest != d {
			t.Errorf("referrer %d is about %v, want %s", i, m.Subject, d)
		}
	}
	if a := Attached(imgs[0].Attachments, KindSBOM); a != nil {
		t.Errorf("Attached found an SBOM among %+v", imgs[0].Attachments)
	}
}
