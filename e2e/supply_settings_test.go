package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// supplyMetadata asks in Cargo.toml for what --sbom cyclonedx
// --no-audit-section ask.
const supplyMetadata = "[package.metadata.berth]\nsbom = \"cyclonedx\"\naudit-section = false"

// TestSupplySettingsFromCargoToml: sbom = "cyclonedx" and audit-section =
// false in Cargo.toml apply to build and to stage (which a generated
// Dockerfile runs in its builder, with the project's Cargo.toml) as their
// flags do: a CycloneDX SBOM, and the binary as cargo wrote it, without a
// .dep-v0 section. BERTH_SBOM and BERTH_AUDIT_SECTION win over Cargo.toml.
func TestSupplySettingsFromCargoToml(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "serde_json", "itoa", "memchr", "ryu")
	project := filepath.Join(t.TempDir(), "greeter")
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "e2e/testdata/dockerfile/lib-bin"), project); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(project, "Cargo.toml")
	appendLine(t, manifest, supplyMetadata)
	crates := cargoTree(t, manifest)
	const bin = "/usr/local/bin/greeter"

	t.Run("build", func(t *testing.T) {
		dir := t.TempDir()
		layoutDir, sbomFile := filepath.Join(dir, "layout"), filepath.Join(dir, "sbom.cdx.json")
		rep := parseReport(t, mustBerth(t, "build", "--manifest-path", manifest, "--oci-layout", layoutDir, "--json", "--sbom-out", sbomFile).stdout)
		checkSBOMArtifact(t, layoutDir, rep, cycloneDXType, sbomFile, crates)
		checkNoSection(t, binaryFromImage(t, layoutImage(t, layoutDir), bin))
	})
	t.Run("stage", func(t *testing.T) {
		dir := t.TempDir()
		app, sbomFile := filepath.Join(dir, "app"), filepath.Join(dir, "sbom.cdx.json")
		mustBerth(t, "stage", "--manifest-path", manifest, "--out", filepath.Join(dir, "rootfs"), "--app-out", app, "--sbom-out", sbomFile)
		checkSBOM(t, readFile(t, sbomFile), cycloneDXType, crates)
		checkNoSection(t, readFile(t, filepath.Join(app, bin)))
	})
	t.Run("environment over Cargo.toml", func(t *testing.T) {
		t.Setenv("BERTH_SBOM", "spdx")
		t.Setenv("BERTH_AUDIT_SECTION", "true")
		dir := t.TempDir()
		layoutDir, sbomFile := filepath.Join(dir, "layout"), filepath.Join(dir, "sbom.spdx.json")
		rep := parseReport(t, mustBerth(t, "build", "--manifest-path", manifest, "--oci-layout", layoutDir, "--json", "--sbom-out", sbomFile).stdout)
		checkSBOMArtifact(t, layoutDir, rep, spdxType, sbomFile, crates)
		if got := sectionCrates(t, binaryFromImage(t, layoutImage(t, layoutDir), bin)); !slices.Equal(got, crates) {
			t.Errorf(".dep-v0 lists %v, want %v", got, crates)
		}
	})
}

// checkNoSection: binary is the file cargo wrote, without .dep-v0.
func checkNoSection(t *testing.T, binary []byte) {
	t.Helper()
	if _, ok := depSection(t, binary); ok {
		t.Error("the binary has a .dep-v0 section, though audit-section is false")
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
