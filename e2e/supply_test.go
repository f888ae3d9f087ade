package e2e

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// buildReport is --json's output.
type buildReport struct {
	Images []imageReport
}

type imageReport struct {
	Ref, Digest, Platform string
	SBOM                  *struct{ Digest, MediaType string }
	Provenance            *struct{ Digest, MediaType string }
	Manifests             []imageReport
	Signatures            []struct{ Subject, PredicateType string }
}

// TestSupplyChainHyper builds the hyper fixture once into an OCI layout, a
// docker-archive and the local registry, and checks what scanners see: the
// binary's .dep-v0 lists exactly what `cargo tree -e normal` lists, syft
// finds every one of those crates in each of the three, the SBOM is in the
// layout as an artifact about the image and in --sbom-out, and a second
// build gives the same image and SBOM digests.
func TestSupplyChainHyper(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json", "libc")
	project := testenv.CopyFixture(t, "hyper-service")
	manifest := filepath.Join(project, "Cargo.toml")
	pub := newPublished(t, "hyper-service:supply")
	sbomFile := filepath.Join(t.TempDir(), "sbom.spdx.json")
	args := append([]string{"build", "--manifest-path", manifest, "--json", "--sbom-out", sbomFile}, pub.args()...)
	first := parseReport(t, mustBerth(t, args...).stdout)

	want := cargoTree(t, manifest)
	got := sectionCrates(t, binaryFromImage(t, layoutImage(t, pub.layout), "/usr/local/bin/hyper-service"))
	if !slices.Equal(got, want) {
		t.Errorf(".dep-v0 lists\n%v\ncargo tree -e normal lists\n%v", got, want)
	}
	checkSBOMArtifact(t, pub.layout, first, spdxType, sbomFile, want)

	pub.scanEach(t, func(t *testing.T, source string) { checkScannedCrates(t, manifest, source) })

	second := parseReport(t, mustBerth(t, args...).stdout)
	if first.Images[0].Digest != second.Images[0].Digest || first.Images[0].SBOM.Digest != second.Images[0].SBOM.Digest {
		t.Errorf("two builds differ: %+v vs %+v", first.Images[0], second.Images[0])
	}
}

// checkScannedCrates checks that syft lists, in the image at source, every
// crate `cargo tree -e normal` lists for the project, at its version.
func checkScannedCrates(t *testing.T, manifest, source string) {
	t.Helper()
	found := scan(t, testenv.RequireSyft(t), source).crates
	for _, c := range cargoTree(t, manifest) {
		if !found[c] {
			t.Errorf("syft does not list crate %s in %s", c, source)
		}
	}
}

func parseReport(t *testing.T, stdout string) buildReport {
	t.Helper()
	var r buildReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("--json printed %q: %v", stdout, err)
	}
	if len(r.Images) == 0 {
		t.Fatalf("--json: %+v", r)
	}
	for _, img := range r.Images {
		if img.SBOM == nil || img.Platform == "" || img.Digest != r.Images[0].Digest || !strings.HasPrefix(img.Digest, "sha256:") {
			t.Fatalf("--json: %+v", r)
		}
	}
	return r
}

// cargoTree is "name version" for every package `cargo tree -e normal`
// prints for the host target, sorted and without duplicates.
func cargoTree(t *testing.T, manifest string) []string {
	t.Helper()
	host, err := exec.Command("rustc", "--print", "host-tuple").Output()
	if err != nil {
		t.Fatalf("rustc --print host-tuple: %v", err)
	}
	cmd := exec.Command("cargo", "tree", "--offline", "-e", "normal", "--prefix", "none", "--format", "{p}",
		"--manifest-path", manifest, "--target", strings.TrimSpace(string(host)))
	cmd.Env = testenv.CargoEnv(t)
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("cargo tree: %v", err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.Fields(line) // "name v1.2.3 [(path)] [(*)]"
		out = append(out, f[0]+" "+strings.TrimPrefix(f[1], "v"))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sectionCrates is "name version" of each crate the binary's .dep-v0
// section lists, sorted.
func sectionCrates(t *testing.T, binary []byte) []string {
	t.Helper()
	data, ok := depSection(t, binary)
	if !ok {
		t.Fatalf("the image's binary has no .dep-v0 section")
	}
	crates, err := audit.ReadSection(data)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range crates {
		out = append(out, c.Name+" "+c.Version)
	}
	slices.Sort(out)
	return out
}

// depSection returns the binary's .dep-v0 section, and whether it has one.
func depSection(t *testing.T, binary []byte) ([]byte, bool) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bin")
	if err := os.WriteFile(path, binary, 0o755); err != nil {
		t.Fatal(err)
	}
	data, ok, err := elf.ReadSection(path, audit.SectionName)
	if err != nil {
		t.Fatalf("reading the binary's sections: %v", err)
	}
	return data, ok
}

// binaryFromImage reads the file at path from the image's filesystem.
func binaryFromImage(t *testing.T, img v1.Image, path string) []byte {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s is not in the image: %v", path, err)
		}
		if "/"+strings.TrimPrefix(h.Name, "/") == path {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

// checkSBOMArtifact: the layout holds the SBOM as an artifact about the
// image, of mediaType, the same bytes as --sbom-out, naming every crate.
func checkSBOMArtifact(t *testing.T, dir string, rep buildReport, mediaType, sbomFile string, crates []string) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := v1.NewHash(rep.Images[0].SBOM.Digest)
	art, err := idx.Image(h)
	if err != nil {
		t.Fatalf("the layout has no SBOM artifact %s: %v", h, err)
	}
	m, _ := art.Manifest()
	if m.Subject == nil || m.Subject.Digest.String() != rep.Images[0].Digest || m.ArtifactType != mediaType ||
		rep.Images[0].SBOM.MediaType != mediaType {
		t.Fatalf("artifact manifest: %+v, reported %+v; want an artifact of type %s about the image", m, rep.Images[0].SBOM, mediaType)
	}
	layers, _ := art.Layers()
	rc, _ := layers[0].Uncompressed()
	doc, _ := io.ReadAll(rc)
	file, err := os.ReadFile(sbomFile)
	if err != nil || string(file) != string(doc) {
		t.Errorf("--sbom-out differs from the artifact (%v)", err)
	}
	checkSBOM(t, doc, mediaType, crates)
}

// SBOM media types.
const (
	spdxType      = "application/spdx+json"
	cycloneDXType = "application/vnd.cyclonedx+json"
)

// checkSBOM: doc is an SPDX 2.3 or CycloneDX 1.6 document as mediaType
// says, naming every crate by purl.
func checkSBOM(t *testing.T, doc []byte, mediaType string, crates []string) {
	t.Helper()
	var head struct{ SPDXVersion, BOMFormat, SpecVersion string }
	if err := json.Unmarshal(doc, &head); err != nil {
		t.Fatalf("the SBOM is not JSON: %v", err)
	}
	kind := ""
	switch {
	case head.SPDXVersion == "SPDX-2.3":
		kind = spdxType
	case head.BOMFormat == "CycloneDX" && head.SpecVersion == "1.6":
		kind = cycloneDXType
	}
	if kind != mediaType {
		t.Errorf("the SBOM is %+v, want a document of type %s", head, mediaType)
	}
	for _, c := range crates {
		purl := "pkg:cargo/" + strings.Replace(c, " ", "@", 1)
		if !strings.Contains(string(doc), `"`+purl+`"`) {
			t.Errorf("the SBOM has no %s", purl)
		}
	}
}

// TestSBOMPushReferrers pushes to the distribution registry, which serves
// the OCI referrers API: the image's referrers list the CycloneDX SBOM and
// the provenance, each as --json reports it.
func TestSBOMPushReferrers(t *testing.T) {
	testenv.RequireCargo(t)
	reg := testenv.StartRegistry(t)
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	ref := reg + "/berth-e2e/hello:sbom"
	rep := parseReport(t, mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"),
		"--push", "-t", ref, "--sbom", "cyclonedx", "--json").stdout)
	img := rep.Images[0]
	if img.Ref != ref || img.SBOM.MediaType != cycloneDXType || img.Provenance == nil {
		t.Fatalf("--json: %+v", img)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Referrers(tag.Context().Digest(img.Digest))
	if err != nil {
		t.Fatalf("referrers of %s: %v", img.Digest, err)
	}
	m, _ := idx.IndexManifest()
	want := map[string]string{img.SBOM.Digest: img.SBOM.MediaType, img.Provenance.Digest: img.Provenance.MediaType}
	for _, d := range m.Manifests {
		if want[d.Digest.String()] == d.ArtifactType {
			delete(want, d.Digest.String())
		}
	}
	if len(m.Manifests) != 2 || len(want) != 0 {
		t.Fatalf("referrers: %+v, want the SBOM %s and the provenance %s", m.Manifests, img.SBOM.Digest, img.Provenance.Digest)
	}
	art, err := remote.Image(tag.Context().Digest(img.SBOM.Digest))
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := art.Layers()
	rc, _ := layers[0].Uncompressed()
	doc, _ := io.ReadAll(rc)
	checkSBOM(t, doc, cycloneDXType, nil)
}

// TestCrateListCache: the crate list is kept between builds, and a new
// dependency is still in the next build's .dep-v0 section, however the
// manifest and Cargo.lock change around the cached list.
func TestCrateListCache(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "serde")
	t.Setenv("BERTH_CACHE_DIR", t.TempDir())
	project := testenv.CopyFixture(t, "two-bins")
	manifest := filepath.Join(project, "Cargo.toml")
	out := filepath.Join(t.TempDir(), "layout")
	build := func(step string) (crates []string, ranMetadata bool) {
		r := mustBerth(t, "build", "--manifest-path", manifest, "--bin", "alpha", "--oci-layout", out, "--timings")
		crates = sectionCrates(t, binaryFromImage(t, layoutImage(t, out), "/usr/local/bin/alpha"))
		if want := cargoTree(t, manifest); !slices.Equal(crates, want) {
			t.Errorf("%s: .dep-v0 lists %v, cargo tree -e normal %v", step, crates, want)
		}
		return crates, strings.Contains(r.stderr, "cargo metadata")
	}
	if _, ran := build("first build"); !ran {
		t.Error("first build: the crate list did not come from cargo metadata")
	}
	if _, ran := build("unchanged"); ran {
		t.Error("unchanged project: cargo metadata ran again; the cached list was not used")
	}
	alpha := filepath.Join(project, "src", "bin", "alpha.rs")
	src, err := os.ReadFile(alpha)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alpha, append(src, []byte("// edited\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ran := build("source edit"); ran {
		t.Error("source edit: cargo metadata ran again")
	}
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manifest, append(data, []byte("serde = \"1\"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if crates, ran := build("new dependency"); !ran || !slices.ContainsFunc(crates, func(c string) bool { return strings.HasPrefix(c, "serde ") }) {
		t.Errorf("new dependency: cargo metadata ran: %v, crates %v (want serde)", ran, crates)
	}
}
