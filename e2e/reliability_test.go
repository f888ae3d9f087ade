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

	"github.com/berth-dev/berth/internal/testenv"
)

// runReal runs the real cargo-berth binary in dir with extra environment.
func runReal(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(realBerth(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Run()
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

// appProject is a one-binary project ("app") whose prebuilt binary is
// target/app, with extra lines in [package.metadata.berth].
func appProject(t *testing.T, metadata string) (dir, binary string) {
	t.Helper()
	dir = t.TempDir()
	manifest := "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.berth]\n" + metadata
	binary = filepath.Join(dir, "target", "app")
	for p, data := range map[string]string{"Cargo.toml": manifest, "src/main.rs": "fn main() {}\n"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Dir(binary), 0o755)
	if err := testenv.CopyTree("/bin/true", binary); err != nil {
		t.Fatal(err)
	}
	return dir, binary
}

// TestReliabilitySettings: settings that used to give a root image, an
// internal error or another file are refused with a clear error naming
// their source (exit 2), against the real binary.
func TestReliabilitySettings(t *testing.T) {
	testenv.RequireCargo(t)
	cases := []struct {
		name, metadata string
		env, args      []string
		want           string
	}{
		{"empty --user", "", nil, []string{"--user", ""}, `user "" (from flag)`},
		{"empty BERTH_USER", "", []string{"BERTH_USER="}, nil, "BERTH_USER"},
		{"empty user in Cargo.toml", "user = \"\"\n", nil, nil, "[package.metadata.berth]"},
		{"user a:b:c", "", nil, []string{"--user", "a:b:c"}, "USER:GROUP"},
		{"user -1", "", nil, []string{"--user=-1"}, "not a user or group id"},
		{"epoch after 9999", "", []string{"SOURCE_DATE_EPOCH=253402300800"}, nil, "after the year 9999"},
		{"include next to another Cargo.toml", "include = [\"conf/app.toml:/etc/app.toml\"]\n", nil, nil, "relative to that Cargo.toml's directory"},
		{"BERTH_SBOM not a format", "", []string{"BERTH_SBOM=SPDX"}, nil, `sbom "SPDX" (from BERTH_SBOM): want one of spdx, cyclonedx, none`},
		{"sbom not a format in Cargo.toml", "sbom = \"swid\"\n", nil, nil, `sbom "swid" (from `},
		{"BERTH_AUDIT_SECTION=1", "", []string{"BERTH_AUDIT_SECTION=1"}, nil, `BERTH_AUDIT_SECTION="1": want true or false`},
		{"audit-section a string in Cargo.toml", "audit-section = \"no\"\n", nil, nil, "[package.metadata.berth]: audit-section is a string, want true or false"},
		{"--sbom-out with sbom none in Cargo.toml", "sbom = \"none\"\n", nil, []string{"--sbom-out", "sbom.json"}, "--sbom-out needs an SBOM, but sbom is none (from "},
		{"--sbom not a format", "", nil, []string{"--sbom", "swid"}, `sbom "swid" (from flag)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, binary := appProject(t, c.metadata)
			// The working directory has conf/app.toml; the project does not.
			work := t.TempDir()
			os.MkdirAll(filepath.Join(work, "conf"), 0o755)
			os.WriteFile(filepath.Join(work, "conf", "app.toml"), []byte("wrong file"), 0o644)
			out := filepath.Join(work, "layout")
			args := append([]string{"build", "--manifest-path", filepath.Join(dir, "Cargo.toml"), "--binary", binary, "--oci-layout", out}, c.args...)
			r := runReal(t, work, append([]string{"BERTH_CACHE_DIR=off"}, c.env...), args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("an image was written")
			}
		})
	}
}

// TestReliabilityOutputs: berth replaces only its own outputs, checks them
// all before writing any, and gives /home/nonroot to the nonroot user.
func TestReliabilityOutputs(t *testing.T) {
	work := t.TempDir()
	layoutDir := filepath.Join(work, "layout")
	build := func(extra ...string) result {
		return runReal(t, work, []string{"BERTH_CACHE_DIR=off"}, append([]string{"build", "--binary", "/bin/true", "-t", "app:e2e"}, extra...)...)
	}
	if r := build("--oci-layout", layoutDir); r.code != 0 {
		t.Fatalf("first build: exit %d\n%s", r.code, r.stderr)
	}
	checkHomeOwner(t, layoutDir)
	index, _ := os.ReadFile(filepath.Join(layoutDir, "index.json"))
	foreign := filepath.Join(work, "backup.tar")
	writeForeignTar(t, foreign)
	notes := filepath.Join(work, "notes.txt")
	os.WriteFile(notes, []byte("precious"), 0o644)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"a tar berth did not write", []string{"--tarball", foreign}, "berth did not write"},
		{"a text file as the tarball", []string{"--tarball", notes}, "not a tar archive"},
		{"layout first, bad tarball second", []string{"--oci-layout", layoutDir, "--tarball", notes}, "not a tar archive"},
		{"Cargo.toml-like file as the layout", []string{"--oci-layout", notes}, "not a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := build(c.args...)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want a failure with %q", r.code, r.stderr, c.want)
			}
			if now, _ := os.ReadFile(filepath.Join(layoutDir, "index.json")); !bytes.Equal(now, index) {
				t.Errorf("the layout was replaced")
			}
			if data, _ := os.ReadFile(notes); string(data) != "precious" {
				t.Errorf("notes.txt was changed")
			}
		})
	}
	if r := build("--tarball", foreign, "--force"); r.code != 0 {
		t.Errorf("--force over a foreign tar: exit %d\n%s", r.code, r.stderr)
	}
}

func writeForeignTar(t *testing.T, p string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "db.sql", Size: 3, Mode: 0o644, Format: tar.FormatUSTAR})
	tw.Write([]byte("sql"))
	tw.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkHomeOwner finds /home/nonroot in the image's layers: 65532, 0700.
func checkHomeOwner(t *testing.T, layoutDir string) {
	t.Helper()
	found := false
	eachLayerEntry(t, layoutImage(t, layoutDir), func(h *tar.Header, _ io.Reader) bool {
		if h.Name != "home/nonroot/" {
			return true
		}
		found = true
		if h.Uid != 65532 || h.Gid != 65532 || h.Mode&0o777 != 0o700 {
			t.Errorf("/home/nonroot is %d:%d %o, want 65532:65532 0700", h.Uid, h.Gid, h.Mode&0o777)
		}
		return false
	})
	if !found {
		t.Errorf("no /home/nonroot in the image")
	}
}
