package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/berth-dev/berth/internal/provenance"
	"github.com/berth-dev/berth/internal/testenv"
)

// TestVerifyAttest builds hello-service from a git repository, pushed to
// both kinds of registry, into an OCI layout and into a docker-archive
// with --provenance-out, then verifies each by rebuilding:
//   - the build is signed (--sign --key); `verify REF --key cosign.pub`
//     checks the image's signature and its provenance's attestation before
//     the rebuild: another key, or an altered provenance, exits 1 with no
//     checkout (a layout, with nothing to check, exits 2);
//   - `verify REF --key cosign.pub --attest --key cosign.key` attaches a
//     signed "reproduced" attestation that the stock cosign verifies with
//     the public key (and not with another), on the referrers API and on
//     the referrers tag;
//   - `verify oci:DIR --attest --attest-out` adds it to the layout and
//     writes the bundle;
//   - `verify docker-archive:FILE --provenance --attest --attest-out`
//     reproduces the archive and writes the bundle;
//   - the archive loaded into Docker and saved by `docker save` (layers
//     stored uncompressed) is reproduced by its config and layer contents;
//   - an archive whose binary was changed exits 1 naming the archive and
//     the binary, and is not attested;
//   - --attest without a key or token, and on an archive without
//     --attest-out, exit 2 before any rebuild; a wrong COSIGN_PASSWORD
//     exits 2 and stops the rebuild.
func TestVerifyAttest(t *testing.T) {
	testenv.RequireCargo(t)
	c := newCosign(t)
	repo := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), repo); err != nil {
		t.Fatal(err)
	}
	gitInit(t, repo)
	hosts := []string{signRegistries[0].start(t), signRegistries[1].start(t)}
	dir := t.TempDir()
	lay, archive, stmt := filepath.Join(dir, "image"), filepath.Join(dir, "hello.tar"), filepath.Join(dir, "provenance.json")
	args := []string{"build", "--manifest-path", filepath.Join(repo, "Cargo.toml"), "--json", "--push",
		"--oci-layout", lay, "--tarball", archive, "--provenance-out", stmt, "--sign", "--key", c.key("good")}
	for _, h := range hosts {
		args = append(args, "-t", h+"/berth-e2e/hello:v1")
	}
	t.Setenv("COSIGN_PASSWORD", c.password)
	for _, k := range []string{"SIGSTORE_ID_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	digest := parseReport(t, mustBerth(t, args...).stdout).Images[0].Digest

	t.Run("cannot attest", func(t *testing.T) { checkCannotAttest(t, c, lay, archive, stmt, repo) })
	for i, h := range hosts {
		t.Run("registry/"+signRegistries[i].name, func(t *testing.T) {
			ref := h + "/berth-e2e/hello@" + digest
			checkNotSigned(t, c, ref, stmt, repo)
			// Its signature checked first, then rebuilt and attested.
			r := mustBerth(t, "verify", ref, "--source", repo, "--key", c.pub("good"), "--attest", "--key", c.key("good"))
			if !strings.Contains(r.stdout, "reproduced") || !strings.Contains(r.stdout, "attested "+ref) {
				t.Errorf("verify --key cosign.pub --attest printed:\n%s", r.stdout)
			}
			c.verify(t, ref, provenance.ReproducedType, "good", true)
			c.verify(t, ref, provenance.ReproducedType, "other", false)
		})
	}
	t.Run("layout", func(t *testing.T) { checkLayoutAttested(t, c, lay, repo, digest) })
	t.Run("docker-archive", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "reproduced.json")
		r := mustBerth(t, "verify", "docker-archive:"+archive, "--provenance", stmt, "--source", repo, "--attest", "--key", c.key("good"), "--attest-out", out)
		if !strings.Contains(r.stdout, "reproduced docker-archive:"+archive+"@"+digest) || !strings.Contains(r.stdout, "attested "+out) {
			t.Errorf("verify of the archive printed:\n%s", r.stdout)
		}
		checkReproducedBundle(t, c, out, digest)
	})
	t.Run("docker save", func(t *testing.T) {
		checkDockerSaved(t, archive, stmt, repo, digest, hosts[0]+"/berth-e2e/hello:v1", hosts[1]+"/berth-e2e/hello:v1")
	})
	t.Run("altered docker-archive", func(t *testing.T) { checkAlteredArchive(t, lay, stmt, repo, c.key("good")) })
}

// checkNotSigned: with a public key, verify first checks the image's
// signature and its provenance's attestation in the registry; another
// key's signature, or a provenance the signer did not attest, exits 1
// before anything is checked out. An OCI layout has no signatures to check
// (exit 2).
func checkNotSigned(t *testing.T, c *cosignRun, ref, stmt, repo string) {
	t.Helper()
	var doc map[string]any
	raw, err := os.ReadFile(stmt)
	if err == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil {
		t.Fatal(err)
	}
	doc["predicate"].(map[string]any)["buildDefinition"].(map[string]any)["externalParameters"].(map[string]any)["added"] = "after signing"
	altered := filepath.Join(t.TempDir(), "altered.json")
	raw, _ = json.Marshal(doc)
	if err := os.WriteFile(altered, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"another key", []string{ref, "--key", c.pub("other")}, 1, "is not signed as required: no signature of"},
		{"an altered provenance", []string{ref, "--key", c.pub("good"), "--provenance", altered}, 1, "is not one the image's signer attested"},
		{"not a key", []string{ref, "--key", stmt}, 2, "not a PEM key"},
		{"two public keys", []string{ref, "--key", c.pub("good"), "--key", c.pub("other")}, 2, "a second public key"},
		{"identity without issuer", []string{ref, "--certificate-identity", "me@example.com"}, 2, "--certificate-oidc-issuer"},
	} {
		r := berth(t, append([]string{"verify", "--source", repo, "--keep"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "checkout kept at") {
			t.Errorf("%s: verify %v: exit %d, want %d before any checkout, saying %q\nstdout:\n%s\nstderr:\n%s", tc.name, tc.args, r.code, tc.code, tc.want, r.stdout, r.stderr)
		}
	}
}

// checkAlteredArchive saves the image with one byte of its binary changed
// as a docker-archive: verify rebuilds, exits 1 naming the archive and the
// binary, and attests nothing.
func checkAlteredArchive(t *testing.T, lay, stmt, repo, key string) {
	bad := tamperedImage(t, layoutImage(t, lay), "usr/local/bin/hello-service")
	file := filepath.Join(t.TempDir(), "altered.tar")
	tag, err := name.NewTag("hello:v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(file, tag, bad); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "reproduced.json")
	r := berth(t, "verify", "docker-archive:"+file, "--provenance", stmt, "--source", repo, "--attest", "--key", key, "--attest-out", out)
	if r.code != 1 || !strings.Contains(r.stdout, file) || !strings.Contains(r.stdout, "/usr/local/bin/hello-service") {
		t.Errorf("verify of an altered archive: exit %d, want 1 naming %s and the binary\nstdout:\n%s\nstderr:\n%s", r.code, file, r.stdout, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("an altered archive was attested (%s written)", out)
	}
	t.Logf("verify of an altered archive:\n%s", r.stdout)
}

// checkLayoutAttested: `verify oci:DIR --attest --attest-out` adds the
// attestation to the layout and writes a bundle that verifies as a
// reproduced statement about the image; the layout still verifies.
func checkLayoutAttested(t *testing.T, c *cosignRun, lay, repo, digest string) {
	out := filepath.Join(t.TempDir(), "reproduced.json")
	r := mustBerth(t, "verify", "oci:"+lay, "--source", repo, "--attest", "--key", c.key("good"), "--attest-out", out)
	if !strings.Contains(r.stdout, "attested oci:"+lay) || !strings.Contains(r.stdout, "attested "+out) {
		t.Errorf("verify --attest printed:\n%s", r.stdout)
	}
	checkReproducedBundle(t, c, out, digest)
	// The layout still verifies: the attestation is not taken for the image.
	mustBerth(t, "verify", "oci:"+lay, "--source", repo)
	// A layout holds no signatures of berth's to check.
	r = berth(t, "verify", "oci:"+lay, "--source", repo, "--key", c.pub("good"))
	if r.code != 2 || !strings.Contains(r.stderr, "signatures are checked in a registry") {
		t.Errorf("verify oci:DIR --key cosign.pub: exit %d, want 2 saying signatures are checked in a registry\nstderr:\n%s", r.code, r.stderr)
	}
}

// checkReproducedBundle: the bundle at file verifies with the good public
// key, and not with the other, as a reproduced statement about digest.
func checkReproducedBundle(t *testing.T, c *cosignRun, file, digest string) {
	t.Helper()
	bundle, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, which := range []string{"good", "other"} {
		pub, err := os.ReadFile(c.pub(which))
		if err != nil {
			t.Fatal(err)
		}
		payload, err := testenv.VerifyBundleWithKey(bundle, pub)
		ok := err == nil && strings.Contains(string(payload), provenance.ReproducedType) && strings.Contains(string(payload), strings.TrimPrefix(digest, "sha256:"))
		if ok != (which == "good") {
			t.Errorf("%s with the %s key: verifies as a reproduced statement about %s: %v (%v)\n%s", file, which, digest, ok, err, payload)
		}
	}
}

// checkCannotAttest: --attest without a key or token, and on a
// docker-archive without --attest-out, exit 2 before the rebuild; a wrong
// COSIGN_PASSWORD exits 2 and stops the rebuild.
func checkCannotAttest(t *testing.T, c *cosignRun, lay, archive, stmt, repo string) {
	for _, args := range [][]string{
		{"oci:" + lay, "--attest"},
		{"docker-archive:" + archive, "--provenance", stmt, "--attest", "--key", c.key("good")},
	} {
		r := berth(t, append([]string{"verify", "--source", repo}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "--attest") {
			t.Errorf("verify %v: exit %d, want 2 naming --attest\nstderr:\n%s", args, r.code, r.stderr)
		}
	}
	// A wrong password stops the rebuild (the key is decrypted beside it).
	t.Setenv("COSIGN_PASSWORD", "wrong")
	r := berth(t, "verify", "oci:"+lay, "--source", repo, "--attest", "--key", c.key("good"))
	if r.code != 2 || !strings.Contains(r.stderr, "COSIGN_PASSWORD") {
		t.Errorf("verify --attest with a wrong password: exit %d, want 2 naming COSIGN_PASSWORD\nstderr:\n%s", r.code, r.stderr)
	}
}

// checkDockerSaved loads the archive into Docker and saves it again: the
// layers are stored uncompressed, so the manifest is not the image's, but
// the config and the layers' contents are, and verify says so.
func checkDockerSaved(t *testing.T, archive, stmt, repo, digest string, tags ...string) {
	testenv.RequireDocker(t)
	t.Cleanup(func() { docker(t, append([]string{"rmi", "-f"}, tags...)...) })
	docker(t, "load", "-i", archive)
	saved := filepath.Join(t.TempDir(), "saved.tar")
	docker(t, "save", "-o", saved, tags[0])
	r := mustBerth(t, "verify", "docker-archive:"+saved, "--provenance", stmt, "--source", repo)
	if !strings.Contains(r.stdout, "reproduced docker-archive:"+saved+"@"+digest) || !strings.Contains(r.stderr, "layer contents") {
		t.Errorf("verify of a docker save archive:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}
