package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// fault is what the proxy does to the first request that matches.
type fault struct {
	name   string
	match  func(*http.Request) bool
	inject func(w http.ResponseWriter) // nil: pass through after delay
	delay  time.Duration
	always bool // every matching request, not only the first
}

// faultyProxy sits on 127.0.0.1 in front of the real registry and applies
// f once, to the first matching request; every other request passes.
type faultyProxy struct {
	mu    sync.Mutex
	fired bool
	f     fault
	next  http.Handler
}

func (p *faultyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	f := p.f
	fire := (f.always || !p.fired) && f.match(r)
	p.fired = p.fired || fire
	p.mu.Unlock()
	if fire {
		time.Sleep(f.delay)
		if f.inject != nil {
			f.inject(w)
			return
		}
	}
	p.next.ServeHTTP(w, r)
}

func status(code int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { http.Error(w, "injected fault", code) }
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func method(m, pathPart string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == m && strings.Contains(r.URL.Path, pathPart) }
}

// TestPushThroughFaults: a push through 500s, 503s, dropped connections and
// slow answers either completes with the right digest or fails clearly, and
// a later push succeeds; the registry then serves the image by that digest.
func TestPushThroughFaults(t *testing.T) {
	reg := testenv.StartRegistry(t)
	target, err := url.Parse("http://" + reg)
	if err != nil {
		t.Fatal(err)
	}
	want := digestOf(t, mustBerth(t, "build", "--binary", "/bin/true", "--oci-layout", t.TempDir()+"/layout", "-t", "app:v1").stdout)
	faults := []fault{
		{name: "500 on a blob upload", match: method(http.MethodPut, "/blobs/uploads/"), inject: status(500)},
		{name: "503 on the manifest", match: method(http.MethodPut, "/manifests/"), inject: status(503)},
		{name: "dropped blob check", match: method(http.MethodHead, "/blobs/"), inject: drop},
		{name: "dropped upload start", match: method(http.MethodPost, "/blobs/uploads/"), inject: drop},
		{name: "slow manifest", match: method(http.MethodPut, "/manifests/"), delay: 2 * time.Second},
		{name: "manifest refused every time", match: method(http.MethodPut, "/manifests/"), inject: status(500), always: true},
	}
	for i, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			proxy := &faultyProxy{f: f, next: httputil.NewSingleHostReverseProxy(target)}
			srv := httptest.NewUnstartedServer(proxy)
			srv.Listener, err = net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv.Start()
			defer srv.Close()
			ref := strings.TrimPrefix(srv.URL, "http://") + "/fault/app" + string(rune('a'+i)) + ":v1"
			r := berth(t, "build", "--binary", "/bin/true", "--push", "-t", ref, "--sbom", "none")
			proxy.mu.Lock()
			fired := proxy.fired
			proxy.mu.Unlock()
			if !fired {
				t.Fatalf("the fault never fired; stderr:\n%s", r.stderr)
			}
			switch {
			case r.code == 0:
				if got := digestOf(t, r.stdout); got != want {
					t.Errorf("push through the fault printed %s, want %s", got, want)
				}
			case !strings.Contains(r.stderr, "pushing "+ref):
				t.Errorf("failed push: exit %d with an unclear error:\n%s", r.code, r.stderr)
			}
			if f.always {
				if r.code == 0 || strings.Contains(r.stdout, "@sha256:") {
					t.Errorf("a push the registry always refuses: exit %d, stdout %q; want a failure and no digest", r.code, r.stdout)
				}
				proxy.mu.Lock()
				proxy.f.always, proxy.f.inject = false, nil
				proxy.mu.Unlock()
			}
			again := mustBerth(t, "build", "--binary", "/bin/true", "--push", "-t", ref, "--sbom", "none")
			if got := digestOf(t, again.stdout); got != want {
				t.Errorf("later push printed %s, want %s", got, want)
			}
			d, err := remote.Head(mustRef(t, strings.Replace(ref, strings.TrimPrefix(srv.URL, "http://"), reg, 1)))
			if err != nil || d.Digest.String() != want {
				t.Errorf("registry has %v (%v), want %s", d, err, want)
			}
			t.Logf("%s: first push exit %d", f.name, r.code)
		})
	}
}

// TestPushLaterTagFails: when a later tag's push fails, stdout still names
// the tag pushed before it, with its digest (it is in the registry).
func TestPushLaterTagFails(t *testing.T) {
	reg := testenv.StartRegistry(t)
	target, err := url.Parse("http://" + reg)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &faultyProxy{next: httputil.NewSingleHostReverseProxy(target), f: fault{
		match:  method(http.MethodPut, "/bad/app/manifests/"),
		inject: status(http.StatusBadRequest), always: true,
	}}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	r := berth(t, "build", "--binary", "/bin/true", "--push", "-t", host+"/good/app:v1", "-t", host+"/bad/app:v1", "--sbom", "none")
	if r.code == 0 {
		t.Fatalf("the failing tag did not fail the build:\n%s", r.stderr)
	}
	if !strings.HasPrefix(r.stdout, host+"/good/app:v1@sha256:") || strings.Contains(r.stdout, "/bad/") {
		t.Errorf("stdout = %q, want only the tag pushed before the failure, with its digest", r.stdout)
	}
}
