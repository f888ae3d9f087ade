package image

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/fileset"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func testOptions(t *testing.T) Options {
	t.Helper()
	files, _ := testFiles(t)
	return Options{
		Layers: [][]fileset.File{
			files[:2],
			nil, // skipped
			files[2:],
		},
		LayerNames:   []string{"system files", "nothing", "runtime files"},
		Platform:     v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"},
		Epoch:        time.Unix(1700000000, 0),
		Entrypoint:   []string{"/app"},
		Cmd:          []string{"--serve"},
		Env:          []string{"RUST_LOG=info"},
		User:         "65532:65532",
		WorkingDir:   "/",
		ExposedPorts: []string{"8080/tcp", "9090"},
		Labels:       map[string]string{"org.opencontainers.image.source": "https://example.com/app"},
	}
}

func build(t *testing.T, opts Options) v1.Image {
	t.Helper()
	img, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
	return img
}

func TestBuildDeterministic(t *testing.T) {
	opts := testOptions(t)
	first := digest(t, build(t, opts))
	tests := []struct {
		name   string
		change func(*Options)
		same   bool
	}{
		{"same input", func(*Options) {}, true},
		{"other epoch", func(o *Options) { o.Epoch = o.Epoch.Add(time.Second) }, false},
		{"swapped layers", func(o *Options) { o.Layers[0], o.Layers[2] = o.Layers[2], o.Layers[0] }, false},
		{"other label", func(o *Options) { o.Labels = map[string]string{"a": "b"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			tt.change(&o)
			if got := digest(t, build(t, o)) == first; got != tt.same {
				t.Errorf("same digest = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestBuildScratch(t *testing.T) {
	opts := testOptions(t)
	img := build(t, opts)
	assertOCI(t, img)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 2 {
		t.Fatalf("got %d layers, want 2 (the empty one skipped)", len(layers))
	}
	for i, files := range [][]fileset.File{opts.Layers[0], opts.Layers[2]} {
		want, err := Layer(files, opts.Epoch)
		if err != nil {
			t.Fatal(err)
		}
		if digest(t, layers[i]) != digest(t, want) {
			t.Errorf("layer %d is not the layer of files %d", i, i)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	created := v1.Time{Time: opts.Epoch.UTC()}
	want := v1.ConfigFile{
		Architecture: "arm64", OS: "linux", Variant: "v8", Created: created,
		RootFS: cf.RootFS,
		History: []v1.History{
			{Created: created, CreatedBy: "berth: system files", Comment: "berth"},
			{Created: created, CreatedBy: "berth: runtime files", Comment: "berth"},
			{Created: created, CreatedBy: `berth: config entrypoint=["/app"] cmd=["--serve"] user="65532:65532" workdir="/"`, Comment: "berth", EmptyLayer: true},
		},
		Config: v1.Config{
			Entrypoint:   []string{"/app"},
			Cmd:          []string{"--serve"},
			Env:          []string{"RUST_LOG=info"},
			User:         "65532:65532",
			WorkingDir:   "/",
			ExposedPorts: map[string]struct{}{"8080/tcp": {}, "9090/tcp": {}},
			Labels:       opts.Labels,
		},
	}
	if !reflect.DeepEqual(*cf, want) {
		t.Errorf("config =\n%+v\nwant\n%+v", *cf, want)
	}
}

func assertOCI(t *testing.T, img v1.Image) {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("media types = %s / %s, want OCI", m.MediaType, m.Config.MediaType)
	}
	for i, l := range m.Layers {
		if l.MediaType != types.OCILayer {
			t.Errorf("layer %d media type = %s, want %s", i, l.MediaType, types.OCILayer)
		}
	}
}

// base returns a one-layer base image with some config, typed as mt.
func base(t *testing.T, mt types.MediaType) v1.Image {
	t.Helper()
	layerType, cfgType := types.DockerLayer, types.DockerConfigJSON
	img := empty.Image
	if mt == types.OCIManifestSchema1 {
		layerType, cfgType = types.OCILayer, types.OCIConfigJSON
		img = mutate.MediaType(img, mt)
	}
	img = mutate.ConfigMediaType(img, cfgType)
	l, err := random.Layer(64, layerType)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "base layer"}})
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{
		Env:    []string{"PATH=/usr/bin", "RUST_LOG=warn", "LANG=C"},
		Cmd:    []string{"/bin/sh"},
		User:   "root",
		Labels: map[string]string{"base": "yes", "org.opencontainers.image.source": "base"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestBuildOnBase(t *testing.T) {
	for _, mt := range []types.MediaType{types.OCIManifestSchema1, types.DockerManifestSchema2} {
		t.Run(string(mt), func(t *testing.T) {
			b := base(t, mt)
			opts := testOptions(t)
			opts.Base = b
			opts.Env = []string{"RUST_LOG=debug", "TZ=UTC"}
			opts.User = ""
			img := build(t, opts)
			assertOCI(t, img)
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"PATH=/usr/bin", "RUST_LOG=debug", "LANG=C", "TZ=UTC"}; !reflect.DeepEqual(cf.Config.Env, want) {
				t.Errorf("env = %q, want %q", cf.Config.Env, want)
			}
			if want := map[string]string{"base": "yes", "org.opencontainers.image.source": "https://example.com/app"}; !reflect.DeepEqual(cf.Config.Labels, want) {
				t.Errorf("labels = %v, want %v", cf.Config.Labels, want)
			}
			if cf.Config.User != "root" || !reflect.DeepEqual(cf.Config.Cmd, opts.Cmd) {
				t.Errorf("user %q cmd %q, want base user and our cmd", cf.Config.User, cf.Config.Cmd)
			}
			if len(cf.History) != 4 || cf.History[0].CreatedBy != "base layer" {
				t.Errorf("history = %+v, want the base's entry then ours", cf.History)
			}
			bl, _ := b.Layers()
			il, _ := img.Layers()
			if len(il) != 3 || digest(t, il[0]) != digest(t, bl[0]) {
				t.Errorf("the base layer is not kept as the first of %d layers", len(il))
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"bad env", func(o *Options) { o.Env = []string{"NOVALUE"} }, "KEY=value"},
		{"bad port", func(o *Options) { o.ExposedPorts = []string{"http"} }, "8080/tcp"},
		{"bad protocol", func(o *Options) { o.ExposedPorts = []string{"53/icmp"} }, "8080/tcp"},
		{"bad file", func(o *Options) { o.Layers = [][]fileset.File{{{Path: "x"}}} }, `layer "system files"`},
		{"index as base", func(o *Options) { o.Base = mutate.MediaType(empty.Image, types.OCIImageIndex) }, "media type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			tt.change(&o)
			_, err := Build(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
