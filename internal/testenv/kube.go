package testenv

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Kube is a real Kubernetes API server for one test: kube-apiserver on
// 127.0.0.1 with its own etcd, both built from the Go module proxy by
// scripts/ci-setup.sh (nothing can be pulled here, and Debian packages
// neither). It stores and validates objects like any cluster's API server;
// there are no controllers or nodes, so a Deployment is stored but no pod
// ever runs.
type Kube struct {
	// Kubeconfig is a kubeconfig file for the server (token auth, its
	// self-signed CA), also set as KUBECONFIG for the rest of the test.
	Kubeconfig string
	t          testing.TB
}

const kubeToken = "berth-test-token"

// StartKube starts etcd and kube-apiserver on free ports on 127.0.0.1,
// waits until /readyz answers ok, points KUBECONFIG (and HOME, so that no
// real cluster configuration is read) at the test's own, and stops both
// when t ends.
func StartKube(t testing.TB) *Kube {
	t.Helper()
	bins := map[string]string{}
	for _, name := range []string{"kubectl", "kube-apiserver", "etcd"} {
		path, err := exec.LookPath(name)
		Require(t, name, err == nil, "run scripts/ci-setup.sh (kubectl: Debian's kubernetes-client; kube-apiserver and etcd: built from the Go module proxy)")
		bins[name] = path
	}
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	etcdURL, peerURL := "http://"+mustFreeAddr(t), "http://"+mustFreeAddr(t)
	startProcess(t, "etcd", bins["etcd"], "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "default="+peerURL, "--log-level", "error")
	apiAddr := mustFreeAddr(t)
	_, port, _ := strings.Cut(apiAddr, ":")
	certs := filepath.Join(dir, "certs")
	key := filepath.Join(dir, "sa.key")
	tokens := filepath.Join(dir, "tokens.csv")
	writeFile(t, tokens, kubeToken+",admin,admin,system:masters\n")
	genKey(t, key)
	api := startProcess(t, "kube-apiserver", bins["kube-apiserver"], "--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", port,
		"--cert-dir", certs, "--token-auth-file", tokens, "--authorization-mode", "AlwaysAllow",
		"--service-account-key-file", key, "--service-account-signing-key-file", key,
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-cluster-ip-range", "10.0.0.0/24", "--disable-admission-plugins", "ServiceAccount")
	if err := waitReady(api, "https://"+apiAddr+"/readyz", 90*time.Second); err != nil {
		t.Fatalf("testenv: kube-apiserver on %s: %v; output:\n%s", apiAddr, err, api.out.String())
	}
	k := &Kube{Kubeconfig: filepath.Join(dir, "kubeconfig"), t: t}
	writeFile(t, k.Kubeconfig, fmt.Sprintf(kubeconfig, filepath.Join(certs, "apiserver.crt"), apiAddr, kubeToken))
	t.Setenv("KUBECONFIG", k.Kubeconfig)
	return k
}

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {certificate-authority: %q, server: "https://%s"}
users:
- name: admin
  user: {token: %q}
contexts:
- name: test
  context: {cluster: test, user: admin}
current-context: test
`

// Kubectl runs the real kubectl against the server and returns its stdout;
// a failure ends the test.
func (k *Kube) Kubectl(args ...string) string {
	k.t.Helper()
	cmd := exec.Command("kubectl", append([]string{"--kubeconfig", k.Kubeconfig}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		k.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// startProcess starts bin with args, its output collected, and kills it
// when t ends (a test server: nothing of its state is kept).
func startProcess(t testing.TB, name, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("testenv: start %s: %v", name, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.out.String())
		}
	})
	return p
}

// waitReady polls the API server's /readyz until it says ok. The server's
// certificate is self-signed and written at start: readiness alone is
// checked without it, kubectl then verifies it.
func waitReady(p *process, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // #nosec: readiness only
	}}
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("exited early (%v)", p.waitErr)
		default:
		}
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+kubeToken)
		if resp, err := client.Do(req); err == nil {
			var body bytes.Buffer
			_, _ = body.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("not ready within %s (last: %s)", timeout, last)
}

func mustFreeAddr(t testing.TB) string {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatalf("testenv: find a free port: %v", err)
	}
	return addr
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// genKey writes an RSA key for the server's service-account tokens.
func genKey(t testing.TB, path string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	writeFile(t, path, string(pem.EncodeToMemory(block)))
}
