package kubectl

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// The API server is testenv.KubeAPI's stand-in: what is and is not
// tested is said there. Tested here: berth's command line reaches kubectl
// (-f - with the YAML on stdin, the user's flags after it, namespace and
// dry run honoured), and kubectl's failure reaches the caller with its argv
// and message.
const pod = `apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
  - name: api
    image: 127.0.0.1:5000/team/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
`

func TestApplyDryRunClient(t *testing.T) {
	url, paths := testenv.KubeAPI(t)
	var out, errb bytes.Buffer
	flags := []string{"--server", url, "--namespace", "staging", "--dry-run=client", "--validate=false", "-o", "yaml"}
	if err := Apply(context.Background(), []byte(pod), flags, &out, &errb); err != nil {
		t.Fatalf("%v\nstderr: %s", err, errb.String())
	}
	for _, want := range []string{"image: 127.0.0.1:5000/team/api@sha256:0123", "namespace: staging", "kubectl.kubernetes.io/last-applied-configuration"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("kubectl's output lacks %q:\n%s", want, out.String())
		}
	}
	got := strings.Join(paths(), "\n")
	if !strings.Contains(got, "GET /api/v1/namespaces/staging/pods/api") {
		t.Errorf("kubectl did not look the pod up in the namespace given:\n%s", got)
	}
	if strings.Contains(got, "POST") || strings.Contains(got, "PATCH") {
		t.Errorf("a client-side dry run wrote to the server:\n%s", got)
	}
}

func TestApplyFailure(t *testing.T) {
	url, _ := testenv.KubeAPI(t)
	flags := []string{"--server", url, "--dry-run=client", "--validate=false"}
	err := Apply(context.Background(), []byte("apiVersion: v1\nkind: Nonesuch\nmetadata: {name: x}\n"), flags, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "kubectl apply -f - --server") || !strings.Contains(err.Error(), "Nonesuch") {
		t.Fatalf("err = %v, want kubectl's argv and its message about the unknown kind", err)
	}
}

func TestApplyWithoutKubectl(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := Apply(context.Background(), []byte(pod), nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "kubernetes-client") {
		t.Fatalf("err = %v", err)
	}
}
