package kubectl

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// The API server is a real kube-apiserver with its own etcd
// (testenv.StartKube): objects are validated and stored as in a cluster,
// but no controller or node runs them. Tested here: berth's command line
// reaches kubectl (-f - with the YAML on stdin, the user's flags after it),
// the server stores what was applied, a client-side dry run stores nothing,
// and kubectl's failure reaches the caller with its argv and message.
const pod = `apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
  - name: api
    image: 127.0.0.1:5000/team/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
`

const podImage = "127.0.0.1:5000/team/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestApply(t *testing.T) {
	kube := testenv.StartKube(t)
	kube.Kubectl("create", "namespace", "staging")
	tests := []struct {
		name   string
		flags  []string
		stored bool
	}{
		{"dry run stores nothing", []string{"--namespace", "staging", "--dry-run=client", "-o", "yaml"}, false},
		{"apply stores the pod", []string{"--namespace", "staging"}, true},
		{"again: unchanged", []string{"--namespace", "staging"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if err := Apply(context.Background(), []byte(pod), tc.flags, &out, &errb); err != nil {
				t.Fatalf("%v\nstderr: %s", err, errb.String())
			}
			got := kube.Kubectl("get", "pods", "--namespace", "staging", "-o", "jsonpath={.items[*].spec.containers[*].image}")
			if stored := got == podImage; stored != tc.stored {
				t.Errorf("the server holds %q after apply %v (output %q), want stored=%v", got, tc.flags, out.String(), tc.stored)
			}
		})
	}
}

func TestApplyFailure(t *testing.T) {
	testenv.StartKube(t)
	err := Apply(context.Background(), []byte("apiVersion: v1\nkind: Nonesuch\nmetadata: {name: x}\n"), []string{"--namespace", "default"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "kubectl apply -f - --namespace default") || !strings.Contains(err.Error(), "Nonesuch") {
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
