package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// scanned is what syft reports about an image: its OS packages, distro
// and Rust crates.
type scanned struct {
	packages map[string]string   // deb package name -> version
	files    map[string][]string // deb package name -> the files syft says it installed
	distro   string              // "debian 12"
	crates   map[string]bool     // "name version" of each Rust crate
}

// scan runs syft on source (oci-dir:DIR, docker-archive:TAR,
// registry:REF), offline.
func scan(t *testing.T, syft, source string) scanned {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, syft, "scan", source, "-o", "json", "-q")
	cmd.Env = testenv.SyftEnv()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("syft scan %s: %v\n%s", source, err, stderr.String())
	}
	var doc struct {
		Artifacts []struct {
			Name, Version, Type string
			Metadata            struct {
				Files []struct{ Path string }
			}
		}
		Distro struct {
			ID        string `json:"id"`
			VersionID string `json:"versionID"`
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("syft's JSON: %v", err)
	}
	s := scanned{packages: map[string]string{}, files: map[string][]string{}, distro: doc.Distro.ID + " " + doc.Distro.VersionID,
		crates: map[string]bool{}}
	for _, a := range doc.Artifacts {
		switch a.Type {
		case "deb":
			s.packages[a.Name] = a.Version
			for _, f := range a.Metadata.Files {
				s.files[a.Name] = append(s.files[a.Name], f.Path)
			}
		case "rust-crate":
			s.crates[a.Name+" "+a.Version] = true
		}
	}
	return s
}

// checkScan checks that syft lists each wanted package at its version, on
// the distro, and libc.so.6 among libc6's files.
func checkScan(t *testing.T, got scanned, want map[string]string, distro string) {
	t.Helper()
	for name, version := range want {
		if got.packages[name] != version {
			t.Errorf("syft lists %s at %q, want %q (it found %v)", name, got.packages[name], version, got.packages)
		}
	}
	if got.distro != distro {
		t.Errorf("syft sees the distro %q, want %q", got.distro, distro)
	}
	// The md5sums records tell syft which of the image's files each
	// package installed: libc.so.6 is libc6's.
	libc := false
	for _, f := range got.files["libc6"] {
		libc = libc || strings.HasSuffix(f, "/libc.so.6")
	}
	if !libc {
		t.Errorf("syft does not know libc.so.6 as libc6's (its files: %v)", got.files["libc6"])
	}
}

// dpkgVersions asks dpkg-query (argv runs it: on this machine or in a
// container) the versions of packages, for the architecture arch.
func dpkgVersions(t *testing.T, argv []string, arch string, packages ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range packages {
		cmd := append(append([]string(nil), argv...), "dpkg-query", "-W", "-f", "${Version}", p+":"+arch)
		v, err := exec.Command(cmd[0], cmd[1:]...).Output()
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(cmd, " "), err)
		}
		out[p] = string(v)
	}
	return out
}

// hostDistro is "ID VERSION_ID" from this machine's os-release.
func hostDistro(t *testing.T, argv ...string) string {
	t.Helper()
	cmd := append(append([]string(nil), argv...), "sh", "-c", `. /etc/os-release && echo "$ID $VERSION_ID"`)
	out, err := exec.Command(cmd[0], cmd[1:]...).Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(cmd, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// TestScannerSeesOSPackages builds the openssl fixture once into an OCI
// layout, a docker-archive and the local registry, and has syft, an
// independent scanner, list its OS packages from each: libc6, libgcc-s1
// and libssl3 at this machine's dpkg versions, on this machine's distro.
func TestScannerSeesOSPackages(t *testing.T) {
	syft := testenv.RequireSyft(t)
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "openssl")
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		testenv.Require(t, "a dpkg-based build machine", false, "no dpkg-query on PATH")
	}
	project := testenv.CopyFixture(t, "openssl-digest")
	pub := newPublished(t, "openssl-digest:scan")
	mustBerth(t, append([]string{"build", "--manifest-path", filepath.Join(project, "Cargo.toml")}, pub.args()...)...)

	arch, err := exec.Command("dpkg", "--print-architecture").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := dpkgVersions(t, nil, strings.TrimSpace(string(arch)), "libc6", "libgcc-s1", "libssl3")
	distro := hostDistro(t)
	pub.scanEach(t, func(t *testing.T, source string) { checkScan(t, scan(t, syft, source), want, distro) })
}

// published is one build's image in the three forms scanners read: an OCI
// layout, a docker-archive and a registry.
type published struct{ layout, tarball, ref string }

// newPublished makes room for an image named repo ("name:tag") in a fresh
// local registry and in files of the test's own.
func newPublished(t *testing.T, repo string) published {
	t.Helper()
	dir := t.TempDir()
	return published{filepath.Join(dir, "layout"), filepath.Join(dir, "img.tar"), testenv.StartRegistry(t) + "/berth-e2e/" + repo}
}

// args are the build flags that write the three.
func (p published) args() []string {
	return []string{"--oci-layout", p.layout, "--tarball", p.tarball, "--push", "-t", p.ref}
}

// scanEach runs check on each of the three, as syft names it
// (oci-dir:DIR, docker-archive:TAR, registry:REF), in a subtest each.
func (p published) scanEach(t *testing.T, check func(t *testing.T, source string)) {
	t.Helper()
	for _, source := range []string{"oci-dir:" + p.layout, "docker-archive:" + p.tarball, "registry:" + p.ref} {
		t.Run(strings.SplitN(source, ":", 2)[0], func(t *testing.T) { check(t, source) })
	}
}

// TestScannerSeesDockerfileImage: an image docker builds from the generated
// Dockerfile carries the records of the builder's packages (stage writes
// them), at the builder image's versions.
func TestScannerSeesDockerfileImage(t *testing.T) {
	syft := testenv.RequireSyft(t)
	requireBuilderImages(t)
	dir := filepath.Join(t.TempDir(), "openssl")
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), "e2e/testdata/fixtures/openssl-digest"), dir); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	mustBerth(t, "dockerfile", "--planner", "context")
	tag := "berth-e2e-dockerfile/scanned:" + time.Now().Format("150405.000000000")[7:]
	removeImage(t, tag)
	buildKit.build(t, dir, tag)
	tarball := filepath.Join(t.TempDir(), "img.tar")
	docker(t, "save", "-o", tarball, tag)

	inBuilder := []string{"docker", "run", "--rm", "--network", "none", testenv.RustImage}
	arch := strings.TrimSpace(runIn(t, append(inBuilder, "dpkg", "--print-architecture")))
	want := dpkgVersions(t, inBuilder, arch, "libc6", "libgcc-s1", "libssl3")
	checkScan(t, scan(t, syft, "docker-archive:"+tarball), want, hostDistro(t, inBuilder...))
}

func runIn(t *testing.T, argv []string) string {
	t.Helper()
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	return string(out)
}
