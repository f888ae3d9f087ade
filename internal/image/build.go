package image

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/progress"
	"github.com/berth-dev/berth/internal/timing"
)

// Options describe an image: a base, layers on top of it and the config.
type Options struct {
	// Base is the image to build on; nil means an empty (scratch) image.
	Base v1.Image
	// Layers become one layer each, in order; empty ones are skipped.
	Layers [][]fileset.File
	// LayerNames name the layers in the image history ("runtime files"),
	// by index; missing names default to "layer N".
	LayerNames []string
	// Platform sets the config's os, architecture and variant.
	Platform v1.Platform
	// Epoch is every timestamp of the image: file mtimes, created, history.
	Epoch time.Time
	// Entrypoint, when non-nil, replaces the base's and also resets its Cmd
	// to Cmd, as a Dockerfile ENTRYPOINT does.
	Entrypoint []string
	// Cmd, when non-nil, replaces the base's.
	Cmd []string
	// Env entries ("KEY=value") replace the base's entries with the same key
	// in place; new keys are appended in order.
	Env []string
	// User and WorkingDir replace the base's when non-empty.
	User       string
	WorkingDir string
	// ExposedPorts are added to the base's ("8080/tcp"; "8080" means tcp).
	ExposedPorts []string
	// Labels are merged over the base's.
	Labels map[string]string
	// Healthcheck, when non-nil, replaces the base's (Docker's
	// Healthcheck; OCI engines ignore it).
	Healthcheck *v1.HealthConfig
	// Cache keeps compressed layers between builds; nil compresses afresh.
	Cache *Cache
	// Compression of the new layers; empty means Gzip.
	Compression Compression
	// Progress, when not nil, shows a layer's compression that takes more
	// than progressQuiet (a live line on a terminal, plain lines otherwise).
	Progress io.Writer
}

// progressQuiet: a layer compressed faster than this shows no progress.
var progressQuiet = 500 * time.Millisecond

// showProgress returns ctx with the reads of files counted on a meter, and
// the function that ends the meter's display. The files' total size is
// learnt at the first read: a layer found without reading (a stamp, the
// cache) costs nothing.
func showProgress(ctx context.Context, w io.Writer, name string, files []fileset.File) (context.Context, func()) {
	if w == nil {
		return ctx, func() {}
	}
	var total, done int64
	m := progress.After(w, "compressing "+name, progressQuiet)
	return withCount(ctx, func(n int64) {
		if done == 0 {
			total = sizeOf(files)
		}
		done += n
		m.Update(done, total)
	}), func() { m.Done(done, total) }
}

// sizeOf is the bytes of files' contents.
func sizeOf(files []fileset.File) int64 {
	var total int64
	for _, f := range files {
		if f.Source != "" {
			if fi, err := os.Stat(f.Source); err == nil {
				total += fi.Size()
			}
		}
		total += int64(len(f.Data))
	}
	return total
}

// Build returns an OCI image (OCI manifest, config and layer media types)
// made of the base and one layer per non-empty entry of opts.Layers. A
// Docker-typed base is converted: its layers are relabelled with the OCI
// equivalents of their media types (same bytes, same digests).
func Build(ctx context.Context, opts Options) (v1.Image, error) {
	img, err := ociBase(opts.Base)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: time.Unix(opts.Epoch.Unix(), 0).UTC()}
	var adds []mutate.Addendum
	for i, files := range opts.Layers {
		if len(files) == 0 {
			continue
		}
		done := timing.Startf(ctx, "layer %q", layerName(opts.LayerNames, i))
		lctx, shown := showProgress(ctx, opts.Progress, layerName(opts.LayerNames, i), files)
		l, err := opts.Cache.Layer(lctx, files, opts.Epoch, opts.Compression)
		shown()
		done()
		if err != nil {
			return nil, fmt.Errorf("building layer %q: %w", layerName(opts.LayerNames, i), err)
		}
		adds = append(adds, mutate.Addendum{
			Layer: l,
			History: v1.History{
				Created:   created,
				CreatedBy: "berth: " + layerName(opts.LayerNames, i),
				Comment:   "berth",
			},
		})
	}
	if img, err = mutate.Append(img, adds...); err != nil {
		return nil, fmt.Errorf("appending layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	cf = cf.DeepCopy()
	if err := applyConfig(cf, opts, created); err != nil {
		return nil, err
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return nil, fmt.Errorf("setting image config: %w", err)
	}
	return img, nil
}

func layerName(names []string, i int) string {
	if i < len(names) && names[i] != "" {
		return names[i]
	}
	return fmt.Sprintf("layer %d", i+1)
}

// ociBase returns base, or scratch, typed as an OCI image.
func ociBase(base v1.Image) (v1.Image, error) {
	scratch := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if base == nil {
		return scratch, nil
	}
	mt, err := base.MediaType()
	if err != nil {
		return nil, fmt.Errorf("reading base image media type: %w", err)
	}
	switch mt {
	case types.OCIManifestSchema1:
		return base, nil
	case types.DockerManifestSchema2:
		return convertDocker(scratch, base)
	default:
		return nil, fmt.Errorf("base image has media type %s; use a base with an OCI or Docker v2 schema 2 manifest", mt)
	}
}
