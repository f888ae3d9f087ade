package e2e

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/debuginfo"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/testenv"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// imageSize is the compressed size of img's layers.
func imageSize(t *testing.T, img v1.Image) int64 {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, l := range layers {
		s, err := l.Size()
		if err != nil {
			t.Fatal(err)
		}
		n += s
	}
	return n
}

// debugArtifact is the debug file attached to the image of digest in the
// OCI layout dir, and its build-id annotation.
func debugArtifact(t *testing.T, dir, digest string) ([]byte, string) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Manifests {
		if d.ArtifactType != image.DebugInfoType {
			continue
		}
		art, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		am, _ := art.Manifest()
		if am.Subject == nil || am.Subject.Digest.String() != digest {
			t.Errorf("the debug artifact is about %v, not the image %s", am.Subject, digest)
		}
		layers, _ := art.Layers()
		rc, _ := layers[0].Uncompressed()
		defer rc.Close()
		data, _ := io.ReadAll(rc)
		return data, am.Annotations[image.BuildIDAnnotation]
	}
	t.Fatalf("the layout %s holds no artifact of type %s", dir, image.DebugInfoType)
	return nil, ""
}

// gdbLine asks gdb, with debugDir as its debug-file-directory, where the
// function fn of the binary is.
func gdbLine(t *testing.T, binary, debugDir, fn string) string {
	t.Helper()
	// -iex: the directory must be set before gdb loads the binary.
	out, err := exec.Command("gdb", "-batch", "-nx", "-iex", "set debug-file-directory "+debugDir,
		"-ex", "info line "+fn, binary).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	return string(out)
}

// TestRuntimeSplitDebuginfo packages a service whose release profile keeps
// debug information (as ripgrep's does) with --split-debuginfo: the image's
// binary is stripped and still serves; the debug file, attached to the
// image and written under --debuginfo-out by build-id, carries the
// binary's build-id, and gdb resolves a function to its source line with it.
func TestRuntimeSplitDebuginfo(t *testing.T) {
	testenv.RequireDebianCrates(t, "hyper", "tokio", "serde", "serde_json")
	testenv.Require(t, "gdb", lookPath("gdb"), "install Debian's gdb")
	project, tag := dockerFixture(t, "hyper-service")
	manifest := filepath.Join(project, "Cargo.toml")
	appendFile(t, manifest, "\n[profile.release]\ndebug = true\n")

	full, _, _ := runtimeBuild(t, project, tag)
	debugDir := filepath.Join(t.TempDir(), "debug")
	layoutDir := filepath.Join(t.TempDir(), "layout")
	r := mustBerth(t, "build", "--manifest-path", manifest, "--split-debuginfo", "--debuginfo-out", debugDir,
		"--oci-layout", layoutDir, "--load", "-t", tag)
	digest, split := digestOf(t, r.stdout), layoutImage(t, layoutDir)
	ratio := float64(imageSize(t, split)) / float64(imageSize(t, full))
	t.Logf("image with debug information: %d KiB; split: %d KiB (%.2fx)", imageSize(t, full)/1024, imageSize(t, split)/1024, ratio)
	if ratio > 0.35 {
		t.Errorf("the split image is %.2fx the full one, over the 0.35x goal", ratio)
	}
	if !strings.Contains(runService(t, tag), "hello from berth") {
		t.Error("the stripped binary does not serve")
	}

	bin := filepath.Join(t.TempDir(), "hyper-service")
	if err := os.WriteFile(bin, binaryFromImage(t, split, "/usr/local/bin/hyper-service"), 0o755); err != nil {
		t.Fatal(err)
	}
	id, err := debuginfo.BuildID(bin)
	if err != nil {
		t.Fatal(err)
	}
	data, annotated := debugArtifact(t, layoutDir, digest)
	written, err := os.ReadFile(filepath.Join(debugDir, debuginfo.Path(id)))
	if err != nil || !bytes.Equal(written, data) || annotated != id {
		t.Fatalf("the debug file under --debuginfo-out (%v) and the artifact (build-id %s) differ or miss the binary's build-id %s", err, annotated, id)
	}
	if got := gdbLine(t, bin, t.TempDir(), "hyper_service::main"); strings.Contains(got, "main.rs") {
		t.Fatalf("gdb found a line with no debug file: the binary is not stripped:\n%s", got)
	}
	if got := gdbLine(t, bin, debugDir, "hyper_service::main"); !strings.Contains(got, "src/main.rs") {
		t.Errorf("gdb did not resolve hyper_service::main to src/main.rs with the debug file:\n%s", got)
	}

	r = mustBerth(t, "build", "--manifest-path", manifest, "--split-debuginfo", "--oci-layout", filepath.Join(t.TempDir(), "again"))
	if digestOf(t, r.stdout) != digest {
		t.Errorf("two split builds differ: %s, %s", digest, digestOf(t, r.stdout))
	}
}

// TestRuntimeSplitDebuginfoInputs: --debuginfo-out without
// --split-debuginfo, or naming a file, stops before cargo.
func TestRuntimeSplitDebuginfoInputs(t *testing.T) {
	offlineCargo(t)
	project := testenv.CopyFixture(t, "plain-service")
	file := filepath.Join(t.TempDir(), "file")
	appendFile(t, file, "mine")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--debuginfo-out", t.TempDir()}, "give --split-debuginfo too"},
		{[]string{"--split-debuginfo", "--debuginfo-out", file}, "is not a directory"},
	} {
		r := berth(t, append([]string{"build", "--manifest-path", filepath.Join(project, "Cargo.toml")}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr:\n%s", tt.args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(project, "target")); !os.IsNotExist(err) {
		t.Error("cargo ran before the inputs were refused")
	}
}

func lookPath(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

func appendFile(t *testing.T, p, text string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// TestRuntimeDebuginfoFetch pushes a split build to a registry (the
// distribution registry, which has no referrers API: the tag fallback) and
// writes it to a layout, then fetches the debug file back from each with
// `cargo berth debuginfo`: the same bytes as --debuginfo-out wrote, at the
// binary's build-id.
func TestRuntimeDebuginfoFetch(t *testing.T) {
	offlineCargo(t)
	reg := testenv.StartRegistry(t)
	t.Setenv("BERTH_CACHE_DIR", "off")
	project := testenv.CopyFixture(t, "plain-service")
	written, layoutDir := t.TempDir(), filepath.Join(t.TempDir(), "layout")
	ref := reg + "/plain-service:split"
	mustBerth(t, "build", "--manifest-path", filepath.Join(project, "Cargo.toml"), "--split-debuginfo",
		"--debuginfo-out", written, "--push", "-t", ref, "--oci-layout", layoutDir)
	for _, from := range []string{ref, "oci:" + layoutDir} {
		t.Run(from, func(t *testing.T) {
			out := t.TempDir()
			r := mustBerth(t, "debuginfo", from, "-o", out)
			p := strings.TrimSpace(r.stdout)
			rel, err := filepath.Rel(out, p)
			if err != nil || !strings.HasPrefix(rel, ".build-id/") {
				t.Fatalf("debuginfo printed %q, want a path under %s/.build-id", p, out)
			}
			got, err := os.ReadFile(p)
			want, werr := os.ReadFile(filepath.Join(written, rel))
			if err != nil || werr != nil || !bytes.Equal(got, want) {
				t.Errorf("the fetched %s differs from the one --debuginfo-out wrote (%v, %v)", rel, err, werr)
			}
		})
	}
	if r := berth(t, "debuginfo", "oci:"+t.TempDir()); r.code == 0 {
		t.Error("debuginfo of an empty directory succeeded")
	}
}
