package testenv

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// No Kubernetes API server can run on the test machines (no kube-apiserver,
// no etcd, nothing to pull). KubeAPI stands in for one as far as kubectl's
// client side goes: API discovery (/api, /apis, /api/v1 listing pods) and
// 404 for every object, which `kubectl apply` takes as "create". With
// --dry-run=client --validate=false, the real kubectl then reads the YAML,
// maps its kinds, looks each object up and prints what it would apply.
// Nothing a real server does (admission, validation, storage) is tested.
const (
	kubeAPIVersions = `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}`
	kubeAPIGroups   = `{"kind":"APIGroupList","apiVersion":"v1","groups":[]}`
	kubeCoreV1      = `{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"","namespaced":true,"kind":"Pod","verbs":["create","delete","get","list","patch","update"]}]}`
	kubeNotFound    = `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`
)

// KubeAPI starts the stand-in and returns its URL (for kubectl's --server)
// and a function listing the requests kubectl made ("GET /api/v1/...").
// It requires kubectl on PATH and hides any real cluster configuration
// from it (KUBECONFIG and HOME point into the test's temporary directory).
func KubeAPI(t testing.TB) (url string, requests func() []string) {
	t.Helper()
	_, err := exec.LookPath("kubectl")
	Require(t, "kubectl", err == nil, "install Debian's kubernetes-client (scripts/ci-setup.sh)")
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("HOME", t.TempDir())
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api":
			fmt.Fprint(w, kubeAPIVersions)
		case "/apis":
			fmt.Fprint(w, kubeAPIGroups)
		case "/api/v1":
			fmt.Fprint(w, kubeCoreV1)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, kubeNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}
