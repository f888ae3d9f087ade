package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/provenance"
	"github.com/berth-dev/berth/internal/timing"
)

// record is what the provenance needs of a build, gathered while it runs;
// nil when provenance is none.
type record struct {
	rustc    func() (string, error) // rustc -vV, run beside cargo
	targets  []provenance.Target
	images   []provenance.Image
	packages []provenance.Package
}

// startRecord starts what runs beside the build (rustc -vV); nil when the
// settings turn provenance off.
func (p *Plan) startRecord(ctx context.Context) *record {
	if *p.cfg.Provenance == "none" {
		return nil
	}
	ch := make(chan struct {
		out string
		err error
	}, 1)
	go func() {
		out, err := p.runner.RustcVersion(ctx)
		ch <- struct {
			out string
			err error
		}{out, err}
	}()
	return &record{rustc: func() (string, error) { r := <-ch; return r.out, r.err }}
}

// add records one platform's target, images and OS packages.
func (r *record) add(t Target, res *Result, runtimeDigest string, runtimeFrom, base string) error {
	if r == nil {
		return nil
	}
	platform := res.Platform.String()
	r.targets = append(r.targets, provenance.Target{Platform: platform, Triple: t.Triple})
	if runtimeDigest != "" {
		r.images = append(r.images, provenance.Image{Role: "runtime-from", Ref: runtimeFrom, Digest: runtimeDigest, Platform: platform})
	}
	if res.Base != nil {
		d, err := res.Base.Digest()
		if err != nil {
			return fmt.Errorf("the digest of base image %s: %w", base, err)
		}
		r.images = append(r.images, provenance.Image{Role: "base", Ref: base, Digest: d.String(), Platform: platform})
	}
	distro := ""
	if res.Distro != nil {
		distro = res.Distro.ID
	}
	for _, pk := range res.Packages {
		r.packages = append(r.packages, provenance.Package{Platform: platform, Distro: distro, Name: pk.Name, Version: pk.Version, Arch: pk.Arch})
	}
	return nil
}

// attachProvenance attaches to each platform's image a statement about it,
// and to an index one about the index and every image; the top one also
// goes to --provenance-out.
func (p *Plan) attachProvenance(ctx context.Context, art *image.Artifact, r *record) error {
	if r == nil {
		return nil
	}
	defer timing.Start(ctx, "provenance")()
	b, err := p.provenanceBuild(ctx, r)
	if err != nil {
		return err
	}
	var all []provenance.Subject
	var top []byte
	for i, img := range art.Images {
		d, err := img.Image.Digest()
		if err != nil {
			return err
		}
		s := provenance.Subject{Name: p.sel.Bin, Digest: d.String()}
		if art.Index != nil {
			s.Name += "@" + img.Platform.String()
		}
		all = append(all, s)
		if top, err = provenance.Statement([]provenance.Subject{s}, b); err != nil {
			return err
		}
		art.Images[i].Attachments = append(art.Images[i].Attachments, image.Attachment{Kind: image.KindProvenance, ArtifactType: provenance.MediaType, Data: top, Created: p.epoch})
	}
	if art.Index != nil {
		d, err := art.Index.Digest()
		if err != nil {
			return err
		}
		if top, err = provenance.Statement(append([]provenance.Subject{{Name: p.sel.Bin, Digest: d.String()}}, all...), b); err != nil {
			return err
		}
		art.Attachments = append(art.Attachments, image.Attachment{Kind: image.KindProvenance, ArtifactType: provenance.MediaType, Data: top, Created: p.epoch})
	}
	return p.writeProvenance(ctx, top)
}

// writeProvenance writes --provenance-out, checked again just before.
func (p *Plan) writeProvenance(ctx context.Context, doc []byte) error {
	out := p.req.ProvenanceOut
	if out == "" {
		return nil
	}
	if err := checkProvenanceOut(out); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(ctx, out, func(w io.Writer) error { _, err := w.Write(doc); return err }); err != nil {
		return fmt.Errorf("writing --provenance-out %s: %w", out, err)
	}
	return nil
}

// provenanceBuild is what the statement records of this build.
func (p *Plan) provenanceBuild(ctx context.Context, r *record) (provenance.Build, error) {
	rustc, err := r.rustc()
	if err != nil && p.req.Binary == "" {
		return provenance.Build{}, fmt.Errorf("recording the toolchain in the provenance (provenance none skips it): %w", err)
	}
	src := p.source(ctx)
	b := provenance.Build{
		External: p.externalParameters(src.Root),
		Internal: provenance.Internal{
			BerthVersion: p.req.Version, SourceDateEpoch: strconv.FormatInt(p.epoch.Unix(), 10),
			Profile: *p.cfg.Profile, Features: p.req.Cargo.Features, Targets: r.targets,
			RemappedPaths: remapNames(p.remap),
		},
		Dependencies: provenance.Dependencies{Images: r.images, Packages: r.packages},
	}
	if rustc != "" {
		b.Dependencies.Rustc = &provenance.Rustc{Verbose: rustc}
	}
	if src.Commit != "" {
		b.Dependencies.Source = &provenance.Source{URL: src.URL, Commit: src.Commit, Clean: src.Clean}
	}
	if p.project != nil {
		lock := filepath.Join(p.project.WorkspaceRoot, "Cargo.lock")
		if sum, err := readSHA256(lock); err == nil {
			b.Dependencies.Lockfile = &provenance.File{Path: relTo(src.Root, lock), SHA256: sum}
		}
	}
	return b, nil
}

// externalParameters are the command's flags and settings, each setting
// with its source; paths are relative to the source's root (root).
func (p *Plan) externalParameters(root string) provenance.External {
	c := p.req.Cargo
	e := provenance.External{
		Command: "build", Settings: settingsOf(p.cfg), Sysroot: p.req.Sysroot, RuntimeFrom: p.req.RuntimeFrom,
		LibraryPaths: p.req.LibraryPaths, Binary: p.req.Binary,
		Cargo: provenance.Cargo{
			ManifestPath: relTo(root, p.manifest), Features: c.Features, NoDefaultFeatures: c.NoDefaultFeatures,
			AllFeatures: c.AllFeatures, Targets: c.Targets, Locked: c.Locked, Frozen: c.Frozen, Offline: c.Offline,
		},
	}
	if len(c.Packages) == 1 {
		e.Cargo.Package = c.Packages[0]
	}
	return e
}

// settingsOf is every set setting's JSON value and source.
func settingsOf(cfg config.Resolved) map[string]provenance.Setting {
	out := map[string]provenance.Setting{}
	v := reflect.ValueOf(cfg.Build)
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).IsNil() {
			continue
		}
		raw, err := json.Marshal(v.Field(i).Interface())
		if err != nil {
			continue
		}
		key := v.Type().Field(i).Tag.Get("json")
		out[key] = provenance.Setting{Value: raw, Source: cfg.Source(key)}
	}
	return out
}

// relTo is path relative to root (slash-separated), or path itself when
// there is no root or it is outside.
func relTo(root, path string) string {
	if root == "" {
		return path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || !filepath.IsLocal(rel) {
		return path
	}
	return filepath.ToSlash(rel)
}

// startSource looks at the package's git commit beside cargo's build: the
// labels and the provenance need it only once the image is made.
func (p *Plan) startSource(ctx context.Context) {
	if p.sel.Package == nil || p.srcFn != nil {
		return
	}
	ch := make(chan gitSource, 1)
	dir := filepath.Dir(p.sel.Package.ManifestPath)
	go func() { ch <- lookGit(ctx, dir) }()
	p.srcFn = sync.OnceValue(func() gitSource { return <-ch })
}

// source is the git commit of the package's directory, looked at once.
func (p *Plan) source(ctx context.Context) gitSource {
	if p.srcFn != nil {
		return p.srcFn()
	}
	if p.src == nil {
		g := gitSource{}
		if p.sel.Package != nil {
			g = lookGit(ctx, filepath.Dir(p.sel.Package.ManifestPath))
		}
		p.src = &g
	}
	return *p.src
}

// checkProvenanceOut refuses to replace anything at path but an in-toto
// statement.
func checkProvenanceOut(path string) error {
	return checkDocumentOut("--provenance-out", path, "an in-toto statement", func(data []byte) bool {
		var head struct {
			Type string `json:"_type"`
		}
		return json.Unmarshal(data, &head) == nil && head.Type != ""
	})
}
