package testenv

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

const registryConfig = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`

const registryAuthConfig = `auth:
  htpasswd:
    realm: berth-test
    path: %s
`

// RegistryOption configures StartRegistry.
type RegistryOption func(*registryOptions)

type registryOptions struct{ user, password string }

// WithBasicAuth makes the registry require user and password (htpasswd
// auth, the way a private registry behind `docker login` works).
func WithBasicAuth(user, password string) RegistryOption {
	return func(o *registryOptions) { o.user, o.password = user, password }
}

// StartRegistry starts distribution's registry on 127.0.0.1 at a free port,
// with storage in a temporary directory, waits until GET /v2/ answers and
// stops it when t ends. It returns the registry's "127.0.0.1:PORT".
func StartRegistry(t testing.TB, opts ...RegistryOption) string {
	t.Helper()
	bin := RequireRegistryBinary(t)
	var o registryOptions
	for _, opt := range opts {
		opt(&o)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := freeAddr()
		if err != nil {
			t.Fatalf("testenv: find a free port: %v", err)
		}
		if lastErr = startRegistry(t, bin, addr, o); lastErr == nil {
			return addr
		}
	}
	t.Fatalf("testenv: start the distribution registry: %v", lastErr)
	return ""
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// lockedBuffer collects the registry's output; exec copies into it from
// another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startRegistry(t testing.TB, bin, addr string, o registryOptions) error {
	dir := t.TempDir()
	storage := filepath.Join(dir, "storage")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		return err
	}
	config := fmt.Sprintf(registryConfig, storage, addr)
	if o.user != "" {
		htpasswd, err := writeHtpasswd(t, dir, o.user, o.password)
		if err != nil {
			return err
		}
		config += fmt.Sprintf(registryAuthConfig, htpasswd)
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		return err
	}
	p := &process{cmd: exec.Command(bin, "serve", cfg), exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none")
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %v", bin, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitHTTP("http://"+addr+"/v2/", 20*time.Second); err != nil {
		p.stop()
		return fmt.Errorf("registry on %s: %v; output:\n%s", addr, err, p.out.String())
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("registry on %s output:\n%s", addr, p.out.String())
		}
	})
	return nil
}

// process is a started server and what it printed.
type process struct {
	cmd     *exec.Cmd
	out     lockedBuffer
	exited  chan struct{}
	waitErr error
}

// waitHTTP polls url until it answers 200 or 401, the process exits or timeout
// passes.
func (p *process) waitHTTP(url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("exited early (%v)", p.waitErr)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			// 401 is a registry that serves and wants credentials.
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("did not answer within %s (%v)", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the process: SIGTERM, then SIGKILL after 10 s.
func (p *process) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// writeHtpasswd writes a bcrypt htpasswd file (the only kind distribution
// accepts) with apache2-utils' htpasswd.
func writeHtpasswd(t testing.TB, dir, user, password string) (string, error) {
	bin, err := exec.LookPath("htpasswd")
	Require(t, "htpasswd (apache2-utils)", err == nil, "needed for a registry with credentials")
	out, err := exec.Command(bin, "-Bbn", user, password).Output()
	if err != nil {
		return "", fmt.Errorf("htpasswd: %w", err)
	}
	path := filepath.Join(dir, "htpasswd")
	return path, os.WriteFile(path, out, 0o600)
}

// StartReferrersRegistry starts go-containerregistry's in-process registry
// on 127.0.0.1, with the OCI referrers API that distribution's registry
// does not serve, and stops it when t ends. It returns "127.0.0.1:PORT".
func StartReferrersRegistry(t testing.TB) string {
	t.Helper()
	addr, stop, err := ServeReferrersRegistry()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(stop)
	return addr
}

// ServeReferrersRegistry is StartReferrersRegistry for programs that are
// not tests (bench): it returns the address and the function that stops it.
func ServeReferrersRegistry() (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listening for the referrers registry: %w", err)
	}
	srv := &http.Server{Handler: registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return l.Addr().String(), func() { _ = srv.Close() }, nil
}
