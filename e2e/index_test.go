package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestIndexFromTwoRunners builds the example service on "two runners" (two
// invocations, one platform each, pushed by digest), merges them with
// `index`, and runs the index's arm64 image under qemu and its amd64 image
// natively. The merge uploads no blob, and a second merge gives the same
// digest. Merged into another repository, the layers are mounted and the
// SBOMs come along.
func TestIndexFromTwoRunners(t *testing.T) {
	crossCargo(t)
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	project := copyForDebianCargo(t, filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"))
	repo := reg + "/berth-e2e/runners"
	var sources []string
	for _, p := range []string{"amd64", "arm64"} {
		r := mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--platform", "linux/"+p, "--push", "-t", repo+":run-"+p)
		sources = append(sources, repo+"@"+digestOf(t, r.stdout))
	}
	ref := repo + ":1"
	t.Cleanup(func() { docker(t, "rmi", "-f", ref) })
	var digests []string
	for i := 0; i < 2; i++ {
		start := time.Now()
		r := mustBerth(t, append([]string{"index", "-t", ref}, sources...)...)
		t.Logf("index of two pushed images: %v", time.Since(start))
		if uploaded, _ := pushCounts(t, r.stderr); uploaded != 0 {
			t.Errorf("index uploaded %d blobs, want 0:\n%s", uploaded, r.stderr)
		}
		digests = append(digests, digestOf(t, r.stdout))
	}
	if digests[0] != digests[1] {
		t.Errorf("two merges of the same images gave %s and %s", digests[0], digests[1])
	}
	for _, p := range []string{"arm64", "amd64"} {
		docker(t, "pull", "--platform", "linux/"+p, ref)
		if arch := strings.TrimSpace(docker(t, "image", "inspect", "--format", "{{.Architecture}}", ref)); arch != p {
			t.Errorf("docker pulled a %s image for linux/%s", arch, p)
		}
		if got := runService(t, ref, "--platform", "linux/"+p); !strings.Contains(got, "hello from berth") {
			t.Errorf("the %s image of the index answers %q", p, got)
		}
	}
	other := reg + "/berth-e2e/merged:1"
	r := mustBerth(t, "index", "-t", other, sources[0], sources[1])
	if uploaded, _ := pushCounts(t, r.stderr); uploaded != 0 || digestOf(t, r.stdout) != digests[0] {
		t.Errorf("merged into another repository: %d blobs uploaded (want 0, mounted), digest %s (want %s):\n%s", uploaded, digestOf(t, r.stdout), digests[0], r.stderr)
	}
	_, armDigest, _ := strings.Cut(sources[1], "@")
	merged, err := name.NewDigest(reg + "/berth-e2e/merged@" + armDigest)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := remote.Referrers(merged)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := refs.IndexManifest(); err != nil || len(m.Manifests) == 0 {
		t.Errorf("the arm64 image's SBOM did not come along to the other repository: %v %v", m, err)
	}
}
