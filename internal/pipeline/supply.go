package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/sbom"
	"github.com/berth-dev/berth/internal/stamp"
	"github.com/berth-dev/berth/internal/timing"
)

// supply is what the settings ask of the supply chain: the SBOM's format
// and file, and whether the binary gets its crate list.
type supply struct {
	format       string // sbom.SPDX, sbom.CycloneDX or sbom.None
	out          string // --sbom-out; "" writes no file
	auditSection bool
}

// resolveSupply joins --sbom-out to the resolved settings (which config
// has validated); a file asked of no SBOM is refused, naming where none
// came from.
func resolveSupply(cfg config.Resolved, out string) (supply, error) {
	s := supply{format: *cfg.SBOM, out: out, auditSection: *cfg.AuditSection}
	if s.format == sbom.None && s.out != "" {
		return s, inputf("--sbom-out needs an SBOM, but sbom is none (from %s): drop --sbom-out (from a generated Dockerfile: write it again with cargo berth dockerfile --force), or set sbom to spdx or cyclonedx", cfg.Origin("sbom"))
	}
	return s, nil
}

// needsCrates says whether the crate list is needed: for the .dep-v0
// section or the SBOM, of a binary cargo builds.
func (s supply) needsCrates(prebuilt bool) bool {
	return !prebuilt && (s.auditSection || s.format != sbom.None)
}

// checkSBOMOut refuses to replace anything at path but an SBOM (SPDX or
// CycloneDX JSON): --sbom-out given a source file by mistake must not lose it.
func checkSBOMOut(path string) error {
	return checkDocumentOut("--sbom-out", path, "an SBOM", isSBOM)
}

// checkDocumentOut refuses to replace anything at path, the file of flag,
// but an earlier document of its kind (what, as ours recognises it).
func checkDocumentOut(flag, path, what string, ours func([]byte) bool) error {
	err := atomicfile.CheckOutput(flag, path, what, ours)
	if refusal := (*atomicfile.Refusal)(nil); errors.As(err, &refusal) {
		return &InputError{Err: err}
	}
	return err
}

// isSBOM recognises an SPDX or CycloneDX JSON document.
func isSBOM(data []byte) bool {
	var head struct {
		SPDXVersion string `json:"spdxVersion"`
		BOMFormat   string `json:"bomFormat"`
	}
	return json.Unmarshal(data, &head) == nil && (head.SPDXVersion != "" || head.BOMFormat != "")
}

// crates lists the crates compiled into the binary of bo's target, from
// the crate cache or cargo metadata. It runs before cargo build, so the
// two never wait for each other's lock on cargo's package cache; the list
// is kept under what cargo's resolve depends on (CratesKey), so a source
// edit does not run cargo metadata again.
func (p *Plan) crates(ctx context.Context, bo cargo.BuildOptions) ([]audit.Crate, error) {
	defer timing.Start(ctx, "crate list")()
	wd, _ := os.Getwd()
	key, _ := CratesKey(p.project, wd, bo, p.env())
	return p.crateCache().Crates(key, func() ([]audit.Crate, error) {
		defer timing.Start(ctx, "  cargo metadata")()
		res, err := resolveFor(ctx, p.runner, bo)
		if err != nil {
			return nil, fmt.Errorf("listing the crates compiled into the binary (for its .dep-v0 section and the SBOM; audit-section false and sbom none skip it): %w", err)
		}
		return Crates(res, bo.Package)
	})
}

// resolveFor runs cargo metadata for bo's target: for the host, cargo's
// "host-tuple" (recent cargo) spares a rustc run; older cargo gets
// the triple from rustc.
func resolveFor(ctx context.Context, runner *cargo.Runner, bo cargo.BuildOptions) (*cargo.Resolve, error) {
	if bo.Target != "" {
		return runner.Resolve(ctx, bo)
	}
	bo.Target = "host-tuple"
	if res, err := runner.Resolve(ctx, bo); err == nil {
		return res, nil
	}
	host, err := runner.HostTriple(ctx)
	if err != nil {
		return nil, err
	}
	bo.Target = host
	return runner.Resolve(ctx, bo)
}

// audited returns the file to package and its crates: with the section
// on, a copy of cargo's binary with .dep-v0, beside it in berth-audit/
// (cargo's own file is never changed).
func (s supply) audited(exe string, crates []audit.Crate, stamps stamp.Store) (string, []audit.Crate, error) {
	if !s.auditSection {
		return exe, crates, nil
	}
	return AuditedBinary(exe, filepath.Join(filepath.Dir(exe), "berth-audit"), crates, stamps)
}

// document renders the SBOM of c (none when sbom is none) and writes it to
// out when out is not "".
func (s supply) document(ctx context.Context, c *Contents, crates []audit.Crate, epoch time.Time, out string) ([]image.Attachment, error) {
	if s.format == sbom.None {
		return nil, nil
	}
	defer timing.Start(ctx, "sbom")()
	doc, mediaType, err := SBOM(s.format, c, crates, epoch)
	if err != nil {
		return nil, err
	}
	if out != "" {
		if err := checkSBOMOut(out); err != nil {
			return nil, err
		}
		if err := atomicfile.WriteFile(ctx, out, func(w io.Writer) error {
			_, err := w.Write(doc)
			return err
		}); err != nil {
			return nil, fmt.Errorf("writing --sbom-out %s: %w", out, err)
		}
	}
	return []image.Attachment{{Kind: image.KindSBOM, ArtifactType: mediaType, Data: doc, Created: epoch}}, nil
}

// sbomOut is where the SBOM of one platform goes: --sbom-out itself for a
// one-platform build; one file per platform of several
// (sbom.json: sbom.linux-arm64.json).
func (s supply) sbomOut(platform v1.Platform, several bool) string {
	if s.out == "" || !several {
		return s.out
	}
	ext := filepath.Ext(s.out)
	if strings.HasSuffix(s.out, ".spdx.json") || strings.HasSuffix(s.out, ".cdx.json") {
		ext = filepath.Ext(strings.TrimSuffix(s.out, ".json")) + ".json"
	}
	return strings.TrimSuffix(s.out, ext) + "." + strings.ReplaceAll(platform.String(), "/", "-") + ext
}
