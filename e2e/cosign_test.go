package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestCosignSignAndAttest does what the README shows a CI doing with
// --json: sign the pushed image and attest its SBOM with cosign, then
// verify both, against the local registry with a generated key pair and no
// transparency log, so that nothing leaves 127.0.0.1.
func TestCosignSignAndAttest(t *testing.T) {
	testenv.RequireCargo(t)
	cosign := testenv.Cosign(t)
	reg := testenv.StartRegistry(t)
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	sbomFile := filepath.Join(t.TempDir(), "sbom.spdx.json")
	rep := parseReport(t, mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"),
		"--push", "-t", reg+"/berth-e2e/hello:signed", "--json", "--sbom-out", sbomFile).stdout)
	img := rep.Images[0]
	ref := strings.TrimSuffix(img.Ref, ":signed") + "@" + img.Digest

	keys := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(cosign, args...)
		cmd.Dir = keys
		cmd.Env = append(os.Environ(), "COSIGN_PASSWORD=berth-e2e", "COSIGN_YES=true",
			"HOME="+keys, "SIGSTORE_NO_CACHE=true", "TUF_ROOT="+filepath.Join(keys, "tuf"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	offline := []string{"--use-signing-config=false", "--tlog-upload=false", "--allow-http-registry", "--key", "cosign.key"}
	run("generate-key-pair")
	run(append([]string{"sign"}, append(offline, ref)...)...)
	run(append([]string{"attest", "--type", "spdxjson", "--predicate", sbomFile}, append(offline, ref)...)...)
	check := []string{"--insecure-ignore-tlog", "--allow-http-registry", "--key", "cosign.pub"}
	if out := run(append([]string{"verify"}, append(check, ref)...)...); !strings.Contains(out, img.Digest) {
		t.Errorf("cosign verify does not name the image's digest:\n%s", out)
	}
	run(append([]string{"verify-attestation", "--type", "spdxjson"}, append(check, ref)...)...)
}
