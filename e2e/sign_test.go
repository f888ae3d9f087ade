package e2e

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ociremote "github.com/sigstore/cosign/v3/pkg/oci/remote"
)

// signedBuilds are what a signed build attaches and the cosign
// verify-attestation types that must verify for it; a new attachment
// (provenance: slsaprovenance1) is one more type in a row.
var signedBuilds = []struct {
	flags []string
	types []string
}{
	{[]string{"--sbom", "spdx"}, []string{"spdxjson", "slsaprovenance1"}},
	{[]string{"--sbom", "cyclonedx"}, []string{"cyclonedx", "slsaprovenance1"}},
}

// signRegistries are the two kinds of registry: go-containerregistry's
// serves the OCI referrers API; distribution's does not, and berth and
// cosign fall back to the referrers tag there.
var signRegistries = []struct {
	name  string
	start func(testing.TB) string
}{
	{"distribution", func(t testing.TB) string { return testenv.StartRegistry(t) }},
	{"referrers-api", testenv.StartReferrersRegistry},
}

// TestSignedPush: `build --push --sign --key` pushes the image, its SBOM
// and their Sigstore bundles; the stock cosign v3 binary verifies the
// image and each attestation with the public key (offline: no
// transparency log), refuses them with another key and refuses a tampered
// attestation, and `cosign tree` finds the SBOM and the bundles, on both
// kinds of registry.
func TestSignedPush(t *testing.T) {
	testenv.RequireCargo(t)
	c := newCosign(t)
	project := t.TempDir()
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "examples", "hello-service"), project); err != nil {
		t.Fatal(err)
	}
	t.Setenv("COSIGN_PASSWORD", c.password)
	for _, reg := range signRegistries {
		for _, b := range signedBuilds {
			t.Run(reg.name+"/"+strings.Join(b.types, "+"), func(t *testing.T) {
				host := reg.start(t)
				args := append([]string{"build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--json",
					"--push", "-t", host + "/berth-e2e/hello:signed", "--sign", "--key", c.key("good")}, b.flags...)
				img := parseReport(t, mustBerth(t, args...).stdout).Images[0]
				ref := host + "/berth-e2e/hello@" + img.Digest
				c.checkSigned(t, ref, img, b.types)
				c.checkTampered(t, host, ref, b.types[0])
				checkSignedAgain(t, args, img)
				c.checkSigned(t, ref, img, b.types)
			})
		}
	}
}

// checkSignedAgain pushes the same build again with a wrong
// COSIGN_PASSWORD: the registry holds every signature already, made by
// the key whose public half berth remembered when it decrypted it, so
// nothing is signed, the key is not needed, and --json lists the same
// signatures.
func checkSignedAgain(t *testing.T, args []string, first imageReport) {
	t.Helper()
	t.Setenv("COSIGN_PASSWORD", "wrong") // restored when the subtest ends
	r := mustBerth(t, args...)
	img := parseReport(t, r.stdout).Images[0]
	if img.Digest != first.Digest || len(img.Signatures) != len(first.Signatures) || !strings.Contains(r.stderr, "0 signatures pushed, "+strconv.Itoa(len(first.Signatures))+" held already") {
		t.Errorf("the same build pushed again: %s with signatures %+v, want %s with %+v, none made\nstderr:\n%s", img.Digest, img.Signatures, first.Digest, first.Signatures, r.stderr)
	}
}

// cosignRun runs the cosign binary offline, with its own HOME and keys.
type cosignRun struct {
	bin, dir, password string
}

func newCosign(t *testing.T) *cosignRun {
	c := &cosignRun{bin: testenv.Cosign(t), dir: t.TempDir(), password: "berth-e2e"}
	for _, k := range []string{"good", "other"} {
		if err := os.Mkdir(filepath.Join(c.dir, k), 0o755); err != nil {
			t.Fatal(err)
		}
		c.run(t, filepath.Join(c.dir, k), true, "generate-key-pair")
	}
	return c
}

func (c *cosignRun) key(which string) string { return filepath.Join(c.dir, which, "cosign.key") }
func (c *cosignRun) pub(which string) string { return filepath.Join(c.dir, which, "cosign.pub") }

// run runs cosign in dir and fails the test unless it exits as wantOK says.
func (c *cosignRun) run(t *testing.T, dir string, wantOK bool, args ...string) string {
	t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COSIGN_PASSWORD="+c.password, "COSIGN_YES=true",
		"HOME="+c.dir, "SIGSTORE_NO_CACHE=true", "TUF_ROOT="+filepath.Join(c.dir, "tuf"))
	out, err := cmd.CombinedOutput()
	if (err == nil) != wantOK {
		t.Fatalf("cosign %s: err = %v, want success %v\n%s", strings.Join(args, " "), err, wantOK, out)
	}
	return string(out)
}

// verify runs cosign verify (cosignType "") or verify-attestation with the
// public key which; offline, so the transparency log is not checked.
func (c *cosignRun) verify(t *testing.T, ref, cosignType, which string, wantOK bool) string {
	t.Helper()
	args := []string{"verify"}
	if cosignType != "" {
		args = []string{"verify-attestation", "--type", cosignType}
	}
	args = append(args, "--key", c.pub(which), "--insecure-ignore-tlog", "--allow-http-registry", ref)
	return c.run(t, c.dir, wantOK, args...)
}

func (c *cosignRun) checkSigned(t *testing.T, ref string, img imageReport, types []string) {
	t.Helper()
	if len(img.Signatures) != 1+len(types) || img.Signatures[0].Subject != img.Digest {
		t.Errorf("--json lists the signatures %+v, want the image's and %d attestations about %s", img.Signatures, len(types), img.Digest)
	}
	if out := c.verify(t, ref, "", "good", true); !strings.Contains(out, img.Digest) {
		t.Errorf("cosign verify does not name the image's digest:\n%s", out)
	}
	c.verify(t, ref, "", "other", false)
	for _, typ := range types {
		c.verify(t, ref, typ, "good", true)
		c.verify(t, ref, typ, "other", false)
	}
	for _, typ := range types {
		checkDownloaded(t, c.run(t, c.dir, true, "download", "attestation", "--allow-http-registry", "--predicate-type", predicateTypes[typ], ref), predicateTypes[typ])
	}
	tree := c.run(t, c.dir, true, "tree", "--allow-http-registry", ref)
	for _, want := range []string{img.SBOM.Digest, "https://sigstore.dev/cosign/sign/v1"} {
		if !strings.Contains(tree, want) {
			t.Errorf("cosign tree does not list %s:\n%s", want, tree)
		}
	}
}

// predicateTypes are the in-toto predicate types of cosign's --type names.
var predicateTypes = map[string]string{
	"spdxjson":        "https://spdx.dev/Document",
	"cyclonedx":       "https://cyclonedx.org/bom",
	"slsaprovenance1": "https://slsa.dev/provenance/v1",
}

// checkDownloaded: `cosign download attestation --predicate-type` printed
// one Sigstore bundle whose statement has that predicate type.
func checkDownloaded(t *testing.T, out, predicateType string) {
	t.Helper()
	var b struct{ DsseEnvelope struct{ Payload []byte } }
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &b); err != nil {
		t.Fatalf("cosign download attestation printed %q: %v", out, err)
	}
	var st struct{ PredicateType string }
	if err := json.Unmarshal(b.DsseEnvelope.Payload, &st); err != nil || st.PredicateType != predicateType {
		t.Errorf("downloaded attestation's predicate type %q (%v), want %s", st.PredicateType, err, predicateType)
	}
}

// checkTampered copies the image to another repository with its
// attestation's statement changed after signing: verify-attestation must
// refuse it.
func (c *cosignRun) checkTampered(t *testing.T, host, ref, cosignType string) {
	t.Helper()
	d, err := name.NewDigest(ref)
	if err != nil {
		t.Fatal(err)
	}
	bundle, predicateType := attestationBundle(t, d)
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	env := b["dsseEnvelope"].(map[string]any)
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(payload), "hello", "hellO", 1)
	if changed == string(payload) {
		t.Fatalf("the statement does not name hello, nothing to tamper with:\n%s", payload)
	}
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(changed))
	tampered, _ := json.Marshal(b)
	dst, err := name.NewDigest(host + "/berth-e2e/tampered@" + d.DigestStr())
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(dst, img); err != nil {
		t.Fatal(err)
	}
	if err := ociremote.WriteAttestationNewBundleFormat(dst, tampered, predicateType); err != nil {
		t.Fatal(err)
	}
	out := c.verify(t, dst.String(), cosignType, "good", false)
	t.Logf("tampered attestation refused:\n%s", out)
}

// attestationBundle is the first Sigstore bundle among d's referrers that
// is an attestation (not cosign's image signature), and its predicate type.
func attestationBundle(t *testing.T, d name.Digest) ([]byte, string) {
	t.Helper()
	idx, err := remote.Referrers(d)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, desc := range m.Manifests {
		pt := desc.Annotations["dev.sigstore.bundle.predicateType"]
		if pt == "" || pt == "https://sigstore.dev/cosign/sign/v1" {
			continue
		}
		art, err := remote.Image(d.Context().Digest(desc.Digest.String()))
		if err != nil {
			t.Fatal(err)
		}
		layers, err := art.Layers()
		if err != nil || len(layers) != 1 {
			t.Fatalf("bundle %s: %d layers, %v", desc.Digest, len(layers), err)
		}
		rc, err := layers[0].Compressed()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b, pt
	}
	t.Fatalf("no attestation bundle among the referrers of %s: %+v", d, m.Manifests)
	return nil, ""
}
