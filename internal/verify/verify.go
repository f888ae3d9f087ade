package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/provenance"
	"github.com/berth-dev/berth/internal/sign"
)

// Options are what to verify and from where.
type Options struct {
	Image      string // oci:DIR, docker-archive:FILE or a registry reference
	Source     string // the git repository with the commit; "" is the current directory
	Provenance string // a statement file instead of the image's attachment
	Keep       bool   // keep the checkout
	Version    string // berth's, for the rebuild's own provenance
	Log        io.Writer
	// Attest signs a "reproduced" attestation on a match and attaches it
	// where the image was read (an OCI layout, a registry) and to
	// AttestOut; Key is the cosign private key ("" signs keyless).
	Attest    bool
	AttestOut string
	Key       string
	// Trust, when set, requires the image's signature by a public key or
	// keyless identity, and a provenance that signer attested, before
	// anything is rebuilt.
	Trust sign.Trust
}

// Result is the outcome of a rebuild that ran.
type Result struct {
	Digest     string   // the image's
	Reproduced bool     // the rebuild gave the same digest
	Rebuilt    string   // the rebuild's digest of the same thing
	Why        []string // with a difference: the inputs, then the layer and files
	Checkout   string   // with Keep: where the source was checked out
	Attested   []string // with Attest and a match: where the attestation went
	Note       string   // how a match was found, when not by the digest alone
}

// Run verifies o.Image; an error is a reason it cannot be checked (an
// *pipeline.InputError for the user's input), a failed rebuild, or an
// attestation that could not be attached (the Result then says the image
// was reproduced).
func Run(ctx context.Context, o Options) (*Result, error) {
	s, prov, about, err := read(ctx, o)
	if err != nil {
		return nil, err
	}
	attester, err := openAttester(ctx, o, s)
	if err != nil {
		return nil, err
	}
	ctx, stop := stopOnKeyError(ctx, attester)
	defer stop(nil)
	res, err := rebuild(ctx, o, s, prov)
	if cause := context.Cause(ctx); err != nil && errors.As(cause, new(*pipeline.InputError)) {
		return nil, cause
	}
	if err != nil || !res.Reproduced {
		if err == nil && !about {
			res.Why = append([]string{alteredArchive(s, prov, res)}, res.Why...)
		}
		return res, err
	}
	if attester != nil {
		res.Attested, err = attest(ctx, attester, o, s, prov, res)
	}
	return res, err
}

// alteredArchive says why a docker-archive's image is not the one its
// provenance describes, now that the rebuild tells which it is.
func alteredArchive(s *subject, prov *provenance.Parsed, res *Result) string {
	head := fmt.Sprintf("docker-archive %s: its image is %s, which the provenance (about %v) does not describe", s.archive, s.digest, prov.Subjects)
	if prov.About(res.Rebuilt) {
		return head + "; the rebuild is the provenance's subject: the archive was changed after the build"
	}
	return head + ", and the rebuild is neither: the provenance may be another image's"
}

// read loads the image and its provenance, and checks that the one is
// about the other and can be rebuilt. about is false for a docker-archive
// whose image the provenance does not describe: the rebuild tells how
// they differ.
func read(ctx context.Context, o Options) (*subject, *provenance.Parsed, bool, error) {
	if o.Trust.Set() {
		var err error
		if o.Trust, err = o.Trust.Load(); err != nil {
			return nil, nil, false, cannot("%v", err)
		}
	}
	s, err := load(ctx, o.Image)
	if err != nil {
		return nil, nil, false, err
	}
	if o.Provenance != "" {
		if s.statement, err = readStatement(o.Provenance); err != nil {
			return nil, nil, false, err
		}
	}
	if o.Trust.Set() && s.statement != nil {
		if s.statement, err = signedStatement(ctx, o, s); err != nil {
			return nil, nil, false, err
		}
	}
	if s.statement == nil && s.archive != "" {
		return nil, nil, false, cannot("a docker-archive holds no provenance: give the statement with --provenance FILE (build --provenance-out FILE writes it)")
	}
	if s.statement == nil {
		return nil, nil, false, cannot("%s has no provenance about %s: build it with provenance on (the default), or give the statement with --provenance FILE", o.Image, s.digest)
	}
	prov, err := provenance.Parse(s.statement)
	if err != nil {
		return nil, nil, false, cannot("%v", err)
	}
	about, err := s.choose(prov)
	if err != nil {
		return nil, nil, false, err
	}
	if !about && s.archive == "" {
		return nil, nil, false, cannot("the provenance is about %v, not %s: it belongs to another image", prov.Subjects, s.digest)
	}
	return s, prov, about, rebuildable(prov.Build)
}

// rebuildable refuses a build that cannot be repeated from its record.
func rebuildable(b provenance.Build) error {
	src := b.Dependencies.Source
	switch {
	case b.External.Binary != "":
		return cannot("the image packages a prebuilt binary (--binary %s): there is no build to repeat", b.External.Binary)
	case src == nil:
		return cannot("the provenance records no git commit: the image was built outside a git repository")
	case !src.Clean:
		return cannot("the image was built from commit %s with uncommitted changes (a dirty tree): the commit does not hold what was built", src.Commit)
	}
	return nil
}

// rebuild checks out the commit and builds it again.
func rebuild(ctx context.Context, o Options, s *subject, prov *provenance.Parsed) (*Result, error) {
	tmp, err := os.MkdirTemp("", "berth-verify-")
	if err != nil {
		return nil, fmt.Errorf("making the checkout directory: %w", err)
	}
	res := &Result{Digest: s.digest.String()}
	if o.Keep {
		res.Checkout = tmp
	} else {
		defer os.RemoveAll(tmp)
	}
	src := o.Source
	if src == "" {
		src = "."
	}
	dir := filepath.Join(tmp, "src")
	if err := pipeline.Checkout(ctx, src, prov.Build.Dependencies.Source.Commit, dir); err != nil {
		return nil, err
	}
	req, err := request(prov.Build, dir, o)
	if err != nil {
		return nil, err
	}
	plan, err := pipeline.Prepare(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("rebuilding %s: %w", o.Image, err)
	}
	art, err := plan.Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("rebuilding %s: %w", o.Image, err)
	}
	return res, compare(res, s, prov, art)
}

// request is the recorded build as a pipeline request in dir.
func request(b provenance.Build, dir string, o Options) (pipeline.Request, error) {
	values := map[string]json.RawMessage{}
	for k, set := range b.External.Settings {
		if k != "tags" { // the references do not change the image
			values[k] = set.Value
		}
	}
	raw, _ := json.Marshal(values)
	layer := config.Layer{Name: "the provenance"}
	if err := json.Unmarshal(raw, &layer.Values); err != nil {
		return pipeline.Request{}, cannot("the provenance's settings: %v", err)
	}
	if _, ok := b.External.Settings["remap-paths"]; !ok {
		// Recorded by a berth that did not remap rustc's paths: rebuild
		// as it built.
		off := false
		layer.Values.RemapPaths = &off
	}
	c := b.External.Cargo
	cargo := pipeline.CargoFlags{
		ManifestPath: filepath.Join(dir, filepath.FromSlash(c.ManifestPath)), Features: c.Features,
		NoDefaultFeatures: c.NoDefaultFeatures, AllFeatures: c.AllFeatures, Targets: c.Targets,
		Locked: c.Locked, Frozen: c.Frozen, Offline: c.Offline,
	}
	if c.Package != "" {
		cargo.Packages = []string{c.Package}
	}
	return pipeline.Request{
		Settings: layer, Cargo: cargo, Sysroot: b.External.Sysroot, RuntimeFrom: b.External.RuntimeFrom,
		LibraryPaths: b.External.LibraryPaths, Version: o.Version, Log: o.Log, Env: rebuildEnv(b.Internal.SourceDateEpoch),
	}, nil
}

// rebuildEnv is this process's environment without BERTH_* (the recorded
// settings replace them) and with the recorded SOURCE_DATE_EPOCH.
func rebuildEnv(epoch string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BERTH_") && !strings.HasPrefix(kv, "SOURCE_DATE_EPOCH=") {
			env = append(env, kv)
		}
	}
	return append(env, "SOURCE_DATE_EPOCH="+epoch)
}

// compare fills res from the rebuilt artifact.
func compare(res *Result, s *subject, prov *provenance.Parsed, art *image.Artifact) error {
	top, err := art.Digest()
	if err != nil {
		return err
	}
	res.Rebuilt = top.String()
	if top == s.digest {
		res.Reproduced = true
		return nil
	}
	for _, img := range art.Images {
		if d, err := img.Image.Digest(); err == nil && d == s.digest {
			res.Reproduced, res.Rebuilt = true, d.String()
			return nil
		}
	}
	if s.archive != "" {
		d, same, err := sameContent(s.images[""], art)
		if err != nil || (same && prov.About(d.String())) {
			res.Reproduced, res.Rebuilt, res.Digest, s.digest = same, d.String(), d.String(), d
			res.Note = "the archive holds the image's config and layer contents, stored with another compression (as `docker save` stores them): the image's digest is the rebuild's"
			return err
		}
	}
	res.Why = append(res.Why, inputDiffs(prov.Build, rebuiltBuild(art))...)
	why, err := layerDiffs(s.images, art)
	res.Why = append(res.Why, why...)
	return err
}

// rebuiltBuild is the rebuild's own provenance record.
func rebuiltBuild(art *image.Artifact) *provenance.Build {
	att := image.Attached(art.Attachments, image.KindProvenance)
	if att == nil {
		att = image.Attached(art.Images[0].Attachments, image.KindProvenance)
	}
	if att == nil {
		return nil
	}
	p, err := provenance.Parse(att.Data)
	if err != nil {
		return nil
	}
	return &p.Build
}
