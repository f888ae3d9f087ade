package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/kubectl"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
	"github.com/berth-dev/berth/internal/yamlref"
)

// Request is one resolve: the YAML, where the images go, and the build
// every binary shares (its settings and cargo flags; each reference sets
// the binary, the package and the tag).
type Request struct {
	Files     []string  // files, directories of .yaml/.yml files, or "-"
	Stdin     io.Reader // read for "-"
	Repo      string    // images go to <Repo>/<bin>
	ImageRefs string    // also write the image references here, one per line
	Build     pipeline.Request
	// Sink options (progress, credentials) for the pushes.
	Sink []publish.Option
}

// Resolve loads the YAML, prepares every binary (an unknown one fails here,
// naming its file and line, before anything is built), builds and pushes
// each once, and returns the YAML with every reference replaced by
// <repo>/<bin>@<digest>.
func Resolve(ctx context.Context, req Request) ([]byte, error) {
	files, refs, err := load(req)
	if err != nil {
		return nil, err
	}
	if err := checkImageRefs(req.ImageRefs); err != nil {
		return nil, err
	}
	plans, err := prepare(ctx, req, refs)
	if err != nil {
		return nil, err
	}
	sink, err := publish.Open(publish.Outputs{Push: true}, req.Sink...)
	if err != nil {
		return nil, err
	}
	lines, err := buildAll(ctx, refs, plans, sink)
	if err != nil {
		return nil, err
	}
	images := map[string]string{}
	for i, r := range refs {
		images[r.Key()] = lines[i]
	}
	if err := writeImageRefs(ctx, req.ImageRefs, lines); err != nil {
		return nil, err
	}
	return replaceAll(files, images)
}

// Apply runs `kubectl apply -f -` on yaml with the user's kubectl flags.
func Apply(ctx context.Context, yaml []byte, flags []string, stdout, stderr io.Writer) error {
	return kubectl.Apply(ctx, yaml, flags, stdout, stderr)
}

// load reads every file and returns them with the first reference to each
// distinct binary, in order.
func load(req Request) ([]*yamlref.File, []yamlref.Ref, error) {
	if len(req.Files) == 0 {
		return nil, nil, &pipeline.InputError{Err: fmt.Errorf("give the YAML with -f FILE, -f DIR or -f - (stdin)")}
	}
	if req.Repo == "" {
		return nil, nil, &pipeline.InputError{Err: fmt.Errorf("no repository: give --repo or set BERTH_REPO, e.g. ghcr.io/OWNER/REPO")}
	}
	var files []*yamlref.File
	var refs []yamlref.Ref
	seen := map[string]bool{}
	for _, path := range req.Files {
		got, err := yamlref.Load(path, req.Stdin)
		if err != nil {
			return nil, nil, &pipeline.InputError{Err: err}
		}
		for _, f := range got {
			for _, r := range f.Refs() {
				if !seen[r.Key()] {
					seen[r.Key()] = true
					refs = append(refs, r)
				}
			}
		}
		files = append(files, got...)
	}
	return files, refs, nil
}

// prepare makes one checked plan per binary; the first error names the
// reference's file and line.
func prepare(ctx context.Context, req Request, refs []yamlref.Ref) (map[string]*pipeline.Plan, error) {
	plans := map[string]*pipeline.Plan{}
	for _, r := range refs {
		b := req.Build
		bin, tag := r.Bin, strings.TrimSuffix(req.Repo, "/")+"/"+strings.ToLower(r.Bin)+":latest"
		b.Settings.Values.Bin, b.Settings.Values.Tags = &bin, []string{tag}
		if r.Package != "" {
			b.Cargo.Packages = []string{r.Package}
		}
		var err error
		if plans[r.Key()], err = pipeline.Prepare(ctx, b); err != nil {
			return nil, fmt.Errorf("%s: %s%s: %w", r.Pos(), yamlref.Scheme, r.Key(), err)
		}
	}
	return plans, nil
}

// buildAll builds the binaries one after the other (cargo holds the target
// directory's lock anyway) and pushes each while the next one compiles: the
// pushes wait on the network, the builds on the CPU. It returns
// <repo>/<name>@<digest> for each reference, in order; the first failure in
// the references' order is the one reported, and it cancels the rest.
func buildAll(ctx context.Context, refs []yamlref.Ref, plans map[string]*pipeline.Plan, sink publish.Sink) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	images := make([]string, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, r := range refs {
		plan := plans[r.Key()]
		art, err := plan.Build(ctx)
		if err != nil {
			errs[i] = err
			cancel()
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if images[i], errs[i] = push(ctx, plan, art, sink); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %s%s: %w", refs[i].Pos(), yamlref.Scheme, refs[i].Key(), err)
		}
	}
	return images, nil
}

// push publishes the plan's artifact: <repo>/<name>@<digest>.
func push(ctx context.Context, plan *pipeline.Plan, art *image.Artifact, sink publish.Sink) (string, error) {
	if _, err := sink.Publish(ctx, art, plan.Tags()); err != nil {
		return "", err
	}
	d, err := art.Digest()
	if err != nil {
		return "", err
	}
	return plan.Tags()[0].Context().Name() + "@" + d.String(), nil
}

// writeImageRefs writes the refs, one per line (checkImageRefs checked
// the path before anything was built).
func writeImageRefs(ctx context.Context, path string, lines []string) error {
	if path == "" {
		return nil
	}
	if err := checkImageRefs(path); err != nil {
		return err
	}
	return atomicfile.WriteFile(ctx, path, func(w io.Writer) error {
		for _, l := range lines {
			if _, err := fmt.Fprintln(w, l); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkImageRefs refuses an --image-refs path that holds anything but an
// earlier file of refs (a user's file, a directory, a link).
func checkImageRefs(path string) error {
	if path == "" {
		return nil
	}
	switch err := atomicfile.Replaceable(path, isImageRefs); {
	case errors.Is(err, atomicfile.ErrNotRegular):
		return &pipeline.InputError{Err: fmt.Errorf("--image-refs %s exists and is not a regular file (a symbolic link or a directory); give a new path", path)}
	case errors.Is(err, atomicfile.ErrForeign):
		return &pipeline.InputError{Err: fmt.Errorf("--image-refs %s exists and is not a list of image references; berth replaces only an earlier one: give another path, or remove the file if it is yours to lose", path)}
	case err != nil:
		return fmt.Errorf("checking --image-refs %s: %w", path, err)
	}
	return nil
}

// replaceAll is the files with their references replaced, as one stream.
func replaceAll(files []*yamlref.File, images map[string]string) ([]byte, error) {
	parts := make([][]byte, 0, len(files))
	for _, f := range files {
		out, err := f.Replace(images)
		if err != nil {
			return nil, err
		}
		parts = append(parts, out)
	}
	return yamlref.Join(parts), nil
}

// isImageRefs recognises a file --image-refs wrote: one
// <repo>@sha256:<digest> per line.
func isImageRefs(data []byte) bool {
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if _, err := name.NewDigest(l); l != "" && err != nil {
			return false
		}
	}
	return true
}
