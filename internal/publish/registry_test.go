package publish

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// countingRegistry is an in-process registry that counts completed blob
// uploads (the final PUT of each upload session).
type countingRegistry struct {
	*httptest.Server
	uploads atomic.Int64
}

func newRegistry(t *testing.T) *countingRegistry {
	t.Helper()
	r := &countingRegistry{}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/blobs/uploads/") {
			r.uploads.Add(1)
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *countingRegistry) host() string { return strings.TrimPrefix(r.URL, "http://") }

func TestRegistryPushAndPull(t *testing.T) {
	reg := newRegistry(t)
	layers := randomLayers(t, 4)
	first := testImage(t, layers[:3]...)
	// Only the last layer differs: a rebuild after a code change.
	second := testImage(t, append(layers[:2:2], layers[3])...)
	tt := tags(t, reg.host()+"/team/app:latest", reg.host()+"/team/app:v1")
	tests := []struct {
		name        string
		img         v1.Image
		uploads     int64
		wantLogLine string
	}{
		{"first push uploads 3 layers and the config", first, 4, "pushed " + reg.host() + "/team/app:latest: 4 blobs uploaded, 0 mounted, 0 already present"},
		{"second push uploads the changed layer and the config", second, 2, "pushed " + reg.host() + "/team/app:latest: 2 blobs uploaded, 0 mounted, 2 already present"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			image := tc.img
			reg.uploads.Store(0)
			var progress bytes.Buffer
			lines, err := strs(Registry(WithProgress(&progress)).Publish(context.Background(), single(image), tt))
			if err != nil {
				t.Fatal(err)
			}
			d := digestOf(t, image)
			if want := []string{tt[0].Name() + "@" + d, tt[1].Name() + "@" + d}; !reflect.DeepEqual(lines, want) {
				t.Errorf("lines = %q, want %q", lines, want)
			}
			if got := reg.uploads.Load(); got != tc.uploads {
				t.Errorf("%d blob uploads, want %d", got, tc.uploads)
			}
			if !strings.Contains(progress.String(), tc.wantLogLine) {
				t.Errorf("progress = %q, want a line %q", progress.String(), tc.wantLogLine)
			}
			for _, tag := range tt {
				got, err := remote.Image(tag)
				if err != nil {
					t.Fatal(err)
				}
				if digestOf(t, got) != d {
					t.Errorf("pulled %s has another digest", tag)
				}
				if err := validate.Image(got); err != nil {
					t.Errorf("validate.Image: %v", err)
				}
			}
		})
	}
}

func TestRegistryErrors(t *testing.T) {
	reg := newRegistry(t)
	img := testImage(t, randomLayers(t, 1)...)
	// Nothing listens on port 1.
	_, err := Registry().Publish(context.Background(), single(img), tags(t, "127.0.0.1:1/app:v1"))
	if err == nil || !strings.Contains(err.Error(), "is the registry reachable") {
		t.Errorf("error = %v, want a hint about reachability", err)
	}
	if _, err := Registry().Publish(context.Background(), single(img), nil); err == nil || !strings.Contains(err.Error(), "needs at least one tag") {
		t.Errorf("error = %v, want a request for a tag", err)
	}
	if _, err := Registry().Publish(context.Background(), single(brokenImage(t)), tags(t, reg.host()+"/app:v1")); err == nil || !strings.Contains(err.Error(), "broken layer") {
		t.Errorf("error = %v, want the layer's error", err)
	}
}

// failingManifests fails every manifest PUT into one repository with a 400.
type failingManifests struct{ repo string }

func (f failingManifests) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && strings.HasPrefix(req.URL.Path, "/v2/"+f.repo+"/manifests/") {
		return &http.Response{StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Header: http.Header{},
			Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestRegistryPartialPush: when a later tag fails, the lines of the tags
// already pushed are returned with the error.
func TestRegistryPartialPush(t *testing.T) {
	reg := newRegistry(t)
	img := testImage(t, randomLayers(t, 1)...)
	tt := tags(t, reg.host()+"/good/app:v1", reg.host()+"/bad/app:v1")
	lines, err := strs(Registry(WithTransport(failingManifests{repo: "bad/app"})).Publish(context.Background(), single(img), tt))
	if err == nil {
		t.Fatal("no error for the failing tag")
	}
	if want := []string{tt[0].Name() + "@" + digestOf(t, img)}; !reflect.DeepEqual(lines, want) {
		t.Errorf("lines = %q, want %q", lines, want)
	}
}

func TestRedactURLs(t *testing.T) {
	in := `PUT http://127.0.0.1:5000/v2/a/blobs/uploads/x?_state=c2VjcmV0&digest=sha256:ab: 400; GET https://r.example/token?scope=x&secret=y done`
	want := `PUT http://127.0.0.1:5000/v2/a/blobs/uploads/x?REDACTED: 400; GET https://r.example/token?REDACTED done`
	if got := redactURLs(in); got != want {
		t.Errorf("redactURLs = %q\nwant %q", got, want)
	}
}
