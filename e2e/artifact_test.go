package e2e

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
	"github.com/berth-dev/berth/internal/testenv"
)

// TestArtifactToEverySink builds a one-platform and a two-platform
// artifact through the same Plan.Build and publishes each to all four
// sinks at once: the layout and the registry hold the artifact's digest
// (the image's, or the index's), the docker-archive and the daemon the
// image of the load platform.
func TestArtifactToEverySink(t *testing.T) {
	crossCargo(t)
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	for _, tc := range []struct {
		name      string
		platforms []string
	}{{"one", nil}, {"two", []string{"linux/amd64", "linux/arm64"}}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			tag := reg + "/berth-e2e/artifact-" + tc.name + ":v1"
			plan, err := pipeline.Prepare(ctx, pipeline.Request{
				Settings: config.Layer{Name: "flag", Values: config.Build{Platforms: tc.platforms, Tags: []string{tag}}},
				Cargo:    pipeline.CargoFlags{ManifestPath: filepath.Join(project, "Cargo.toml")},
				Push:     true, Log: io.Discard,
			})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			out := publish.Outputs{Layout: filepath.Join(dir, "layout"), Tarball: filepath.Join(dir, "image.tar"), Load: true, Push: true, Platform: plan.LoadPlatform()}
			sink, err := publish.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			art, err := plan.Build(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if (art.Index != nil) != (len(tc.platforms) > 1) || len(art.Images) != max(1, len(tc.platforms)) {
				t.Fatalf("artifact of %d images (index: %v), want one per platform of %v", len(art.Images), art.Index != nil, tc.platforms)
			}
			published, err := sink.Publish(ctx, art, plan.Tags())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = exec.Command("docker", "rmi", tag).Run() })
			checkSinks(t, art, plan.LoadPlatform(), published, out, tag)
		})
	}
}

// checkSinks compares what each sink says it published, and what it holds,
// with the artifact's digests.
func checkSinks(t *testing.T, art *image.Artifact, load v1.Platform, published []publish.Published, out publish.Outputs, tag string) {
	t.Helper()
	d, err := art.Digest()
	if err != nil {
		t.Fatal(err)
	}
	top, one := d.String(), art.Images[0]
	for _, img := range art.Images {
		if img.Platform.String() == load.String() {
			one = img
		}
	}
	oneDigest, _ := one.Image.Digest()
	want := map[string]string{"oci-layout": top, "registry": top, "docker-archive": oneDigest.String(), "daemon": oneDigest.String()}
	if len(published) != 4 {
		t.Fatalf("published %+v, want one entry per sink", published)
	}
	for _, p := range published {
		if p.Digest.String() != want[p.Output] {
			t.Errorf("%s published %s, want %s", p.Output, p.Digest, want[p.Output])
		}
	}
	layoutTop := layoutRoot(t, out.Layout)
	lm, err := layoutTop.IndexManifest()
	if err != nil || len(lm.Manifests) == 0 || lm.Manifests[0].Digest.String() != top {
		t.Errorf("layout's index.json names %+v (%v), want %s first", lm, err, top)
	}
	ref, _ := name.ParseReference(tag)
	if d, err := remote.Head(ref); err != nil || d.Digest.String() != top {
		t.Errorf("registry has %v (%v) at %s, want %s", d, err, tag, top)
	}
	tarImg, err := tarball.ImageFromPath(out.Tarball, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A docker-archive keeps the config and layers, not the manifest: its
	// image is the one whose config it holds.
	cfg, _ := one.Image.ConfigName()
	if got, _ := tarImg.ConfigName(); got != cfg {
		t.Errorf("docker-archive holds the image with config %s, want %s (image %s)", got, cfg, oneDigest)
	}
	id, err := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", tag).Output()
	if err != nil || strings.TrimSpace(string(id)) != cfg.String() {
		t.Errorf("the daemon's %s is %q (%v), want the image with config %s", tag, id, err, cfg)
	}
}
