package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// resolveYAML names three binaries, one of them twice and one by package,
// with comments, quoting and two documents that must survive.
const resolveYAML = `# three services
apiVersion: v1
kind: Pod
metadata: {name: alpha}
spec:
  containers:
  - name: alpha
    image: berth://alpha   # first
  - name: beta
    image: "berth://two-bins/beta"
---
apiVersion: v1
kind: Pod
metadata: {name: gamma}
spec:
  containers:
  - {name: gamma, image: 'berth://gamma'}
  - {name: again, image: berth://alpha}
`

// threeBins is the two-bins fixture with a third binary, gamma.
func threeBins(t *testing.T) string {
	t.Helper()
	offlineCargo(t)
	project := testenv.CopyFixture(t, "two-bins")
	manifest := filepath.Join(project, "Cargo.toml")
	m, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	m = []byte(strings.Replace(string(m), "[dependencies]", "[[bin]]\nname = \"gamma\"\npath = \"src/bin/gamma.rs\"\n\n[dependencies]", 1))
	if err := os.WriteFile(manifest, m, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "src", "bin", "gamma.rs"), []byte("fn main() {\n    println!(\"gamma\");\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return manifest
}

var resolvedRef = regexp.MustCompile(`([\w.:-]+/resolve/(\w+))@sha256:[0-9a-f]{64}`)

// TestResolve builds and pushes each binary once, prints the YAML with
// every other byte kept, and every printed digest is pulled back and runs.
func TestResolve(t *testing.T) {
	testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t)
	manifest := threeBins(t)
	dir := t.TempDir()
	in, refsFile := filepath.Join(dir, "deploy.yaml"), filepath.Join(dir, "refs.txt")
	if err := os.WriteFile(in, []byte(resolveYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustBerth(t, "resolve", "-f", in, "--manifest-path", manifest, "--repo", reg+"/resolve", "--image-refs", refsFile)
	if got := resolvedRef.ReplaceAllString(r.stdout, "berth://$2"); got != strings.NewReplacer("two-bins/beta", "beta").Replace(resolveYAML) {
		t.Errorf("resolved YAML differs from the input beyond its references:\n%s", r.stdout)
	}
	refs, err := os.ReadFile(refsFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(refs))
	if len(lines) != 3 {
		t.Fatalf("--image-refs has %d lines, want 3 (one per binary):\n%s", len(lines), refs)
	}
	for _, ref := range lines {
		if !strings.Contains(r.stdout, ref) {
			t.Errorf("%s is in --image-refs but not in the YAML", ref)
		}
		docker(t, "pull", ref)
		bin := resolvedRef.FindStringSubmatch(ref)[2]
		if got := strings.TrimSpace(docker(t, "run", "--rm", ref)); got != bin {
			t.Errorf("%s printed %q, want %q", ref, got, bin)
		}
		t.Cleanup(func() { docker(t, "rmi", "-f", ref) })
	}
}

// TestResolveUnknownBinary fails before cargo runs, naming the file and
// line of the reference.
func TestResolveUnknownBinary(t *testing.T) {
	manifest := threeBins(t)
	in := filepath.Join(t.TempDir(), "deploy.yaml")
	if err := os.WriteFile(in, []byte("a: berth://alpha\nb:\n  image: berth://nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := berth(t, "resolve", "-f", in, "--manifest-path", manifest, "--repo", "127.0.0.1:1/x")
	want := fmt.Sprintf("%s:3: berth://nope: ", in)
	if r.code == 0 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "Compiling") {
		t.Errorf("exit %d, stderr:\n%s\nwant an error starting %q before anything is compiled", r.code, r.stderr, want)
	}
}

// TestApply resolves, then runs the real kubectl on the result with the
// flags given after --, against a real kube-apiserver (testenv.StartKube):
// the server stores the pod with the image resolved and pushed, in the
// namespace given to kubectl.
func TestApply(t *testing.T) {
	reg := testenv.StartRegistry(t)
	manifest := threeBins(t)
	kube := testenv.StartKube(t)
	kube.Kubectl("create", "namespace", "staging")
	in := filepath.Join(t.TempDir(), "pod.yaml")
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: alpha}\nspec:\n  containers: [{name: alpha, image: berth://alpha}]\n"
	if err := os.WriteFile(in, []byte(pod), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustBerth(t, "apply", "-f", in, "--manifest-path", manifest, "--repo", reg+"/resolve", "--", "-n", "staging")
	if !strings.Contains(r.stdout, "pod/alpha created") {
		t.Errorf("kubectl did not report the pod created:\n%s", r.stdout)
	}
	image := kube.Kubectl("get", "pod", "alpha", "-n", "staging", "-o", "jsonpath={.spec.containers[0].image}")
	if !resolvedRef.MatchString(image) || !strings.HasPrefix(image, reg+"/resolve/alpha@sha256:") {
		t.Errorf("the server holds image %q, want %s/resolve/alpha@sha256:...", image, reg)
	}
}
