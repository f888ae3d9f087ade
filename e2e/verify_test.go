package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/berth-dev/berth/internal/provenance"
	"github.com/berth-dev/berth/internal/testenv"
)

// TestVerifyHyper builds the hyper fixture from a git repository, then
// verifies it by rebuilding: from a fresh clone in another directory with
// another CARGO_HOME (each with its own copy of the crates under it, as
// crates.io's live in $CARGO_HOME/registry/src), after a newer commit (the recorded one is built); an
// image whose binary differs by one byte is reported with the file named;
// a dirty tree, no provenance, another image's provenance and an unknown
// commit cannot be checked (exit 2).
func TestVerifyHyper(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json", "libc")
	t.Setenv("CARGO_HOME", testenv.VendoredDebianHome(t, filepath.Join(t.TempDir(), "alice", ".cargo")))
	repo := testenv.CopyFixture(t, "hyper-service")
	gitInit(t, repo)
	dir := t.TempDir()
	lay, stmt := filepath.Join(dir, "image"), filepath.Join(dir, "provenance.json")
	start := time.Now()
	rep := parseReport(t, mustBerth(t, "build", "--manifest-path", filepath.Join(repo, "Cargo.toml"), "--oci-layout", lay, "--provenance-out", stmt, "--json").stdout)
	built := time.Since(start)
	if rep.Images[0].Provenance == nil {
		t.Fatalf("--json lists no provenance: %+v", rep.Images[0])
	}

	// A newer commit: the old image still names (and rebuilds) its own.
	appendFile(t, filepath.Join(repo, "src", "main.rs"), "\n// a later change\n")
	runGit(t, repo, "commit", "-qam", "later")
	clone := filepath.Join(t.TempDir(), "elsewhere", "clone")
	runGit(t, repo, "clone", "-q", repo, clone)
	t.Setenv("CARGO_HOME", testenv.VendoredDebianHome(t, filepath.Join(t.TempDir(), "runner", "cargo-home")))
	start = time.Now()
	r := berth(t, "verify", "oci:"+lay, "--source", clone)
	t.Logf("cold build %v, verify %v (%.2fx)", built.Round(time.Second), time.Since(start).Round(time.Second), float64(time.Since(start))/float64(built))
	if r.code != 0 || !strings.Contains(r.stdout, "reproduced") {
		t.Fatalf("verify from a clone: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	t.Run("one byte different", func(t *testing.T) { checkTampered(t, lay, stmt, repo) })
	t.Run("cannot check", func(t *testing.T) { checkCannot(t, repo, lay, stmt) })
}

// checkTampered verifies an image whose binary has one byte changed, with
// a statement about it: the rebuild differs, naming the binary.
func checkTampered(t *testing.T, lay, stmt, repo string) {
	img := layoutImage(t, lay)
	bad := tamperedImage(t, img, "usr/local/bin/hyper-service")
	badLay, badStmt := filepath.Join(t.TempDir(), "bad"), filepath.Join(t.TempDir(), "bad.json")
	p, err := layout.Write(badLay, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(bad); err != nil {
		t.Fatal(err)
	}
	d, _ := bad.Digest()
	doc, _ := os.ReadFile(stmt)
	parsed, err := provenance.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	resubjected, err := provenance.Statement([]provenance.Subject{{Name: "hyper-service", Digest: d.String()}}, parsed.Build)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(badStmt, resubjected, 0o644); err != nil {
		t.Fatal(err)
	}
	r := berth(t, "verify", "oci:"+badLay, "--provenance", badStmt, "--source", repo)
	if r.code != 1 || !strings.Contains(r.stdout, "/usr/local/bin/hyper-service") || !strings.Contains(r.stdout, "layer 2 of 2") {
		t.Errorf("verify of a one-byte-different image: exit %d, want 1 naming layer 2 and the binary\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// checkCannot checks the refusals, each exit 2 with its reason.
func checkCannot(t *testing.T, repo, lay, stmt string) {
	none := filepath.Join(t.TempDir(), "none")
	manifest := filepath.Join(repo, "Cargo.toml")
	mustBerth(t, "build", "--manifest-path", manifest, "--oci-layout", none, "--provenance", "none")
	dirty := filepath.Join(t.TempDir(), "dirty")
	appendFile(t, filepath.Join(repo, "src", "main.rs"), "\n// not committed\n")
	mustBerth(t, "build", "--manifest-path", manifest, "--oci-layout", dirty)
	unrelated := t.TempDir()
	gitInit(t, unrelated)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no provenance", []string{"oci:" + none}, "has no provenance"},
		{"another image's provenance", []string{"oci:" + none, "--provenance", stmt}, "belongs to another image"},
		{"dirty tree", []string{"oci:" + dirty}, "uncommitted changes"},
		{"unknown commit", []string{"oci:" + lay, "--source", unrelated}, "is not in the repository"},
		{"not an image", []string{"oci:" + filepath.Join(t.TempDir(), "missing")}, "reading the OCI layout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := berth(t, append([]string{"verify", "--source", repo}, tt.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, want 2 saying %q\nstderr:\n%s", r.code, tt.want, r.stderr)
			}
		})
	}
}

// tamperedImage is img with the last byte of file in its last layer
// flipped.
func tamperedImage(t *testing.T, img v1.Image, file string) v1.Image {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	last := layers[len(layers)-1]
	rc, err := last.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	edited, err := testenv.EditTar(rc, func(h *tar.Header, data []byte) []byte {
		if h.Name == file && len(data) > 0 {
			data[len(data)-1] ^= 1
		}
		return data
	})
	if err != nil {
		t.Fatal(err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(edited)), nil })
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.RootFS.DiffIDs, cf.History = nil, nil
	base, err := mutate.ConfigFile(empty.Image, cf)
	if err != nil {
		t.Fatal(err)
	}
	out, err := mutate.AppendLayers(base, append(layers[:len(layers)-1:len(layers)-1], layer)...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gitInit(t *testing.T, dir string) {
	t.Helper()
	runGit(t, dir, "init", "-q")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-qm", "first", "--allow-empty")
}

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}
