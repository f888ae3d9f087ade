package cli

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

	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/internal/atomicfile"
	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/pipeline"
	"github.com/berth-dev/berth/internal/publish"
	"github.com/berth-dev/berth/internal/sbom"
	"github.com/berth-dev/berth/internal/timing"
)

// supplyFlags are the flags about what supply-chain tools see in an image:
// the crate list in the binary and the SBOM. build and stage share them.
type supplyFlags struct {
	sbomFormat     string
	sbomOut        string
	noAuditSection bool
}

func (f *supplyFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.sbomFormat, "sbom", sbom.SPDX, "SBOM format: spdx (SPDX 2.3 JSON), cyclonedx (CycloneDX 1.5 JSON) or none")
	fs.StringVar(&f.sbomOut, "sbom-out", "", "also write the SBOM to this file")
	fs.BoolVar(&f.noAuditSection, "no-audit-section", false, "ship the exact bytes cargo wrote: no .dep-v0 crate list added to the binary")
}

// layer puts the flags the user set into v: --sbom and --no-audit-section
// are the settings sbom and audit-section.
func (f *supplyFlags) layer(changed map[string]bool, v *config.Build) {
	if changed["sbom"] {
		v.SBOM = &f.sbomFormat
	}
	if changed["no-audit-section"] {
		on := !f.noAuditSection
		v.AuditSection = &on
	}
}

// check checks, before the project is read, what --sbom-out would replace.
func (f *supplyFlags) check() error {
	if f.sbomOut != "" {
		return checkSBOMOut(f.sbomOut)
	}
	return nil
}

// supply is what the settings ask of the supply chain: the SBOM's format
// and file, and whether the binary gets its crate list.
type supply struct {
	format       string // sbom.SPDX, sbom.CycloneDX or sbom.None
	out          string // --sbom-out; "" writes no file
	auditSection bool
}

// resolve joins --sbom-out to the resolved settings (which config has
// validated); a file asked of no SBOM is refused, naming where none came
// from.
func (f *supplyFlags) resolve(cfg config.Resolved) (supply, error) {
	s := supply{format: *cfg.SBOM, out: f.sbomOut, auditSection: *cfg.AuditSection}
	if s.format == sbom.None && s.out != "" {
		return s, usagef("--sbom-out needs an SBOM, but sbom is none (from %s): drop --sbom-out (from a generated Dockerfile: write it again with cargo berth dockerfile --force), or set sbom to spdx or cyclonedx", cfg.Origin("sbom"))
	}
	return s, nil
}

// checkSBOMOut refuses to replace anything at path but an SBOM (SPDX or
// CycloneDX JSON): --sbom-out given a source file by mistake must not lose it.
func checkSBOMOut(path string) error {
	err := atomicfile.Replaceable(path, isSBOM)
	switch {
	case errors.Is(err, atomicfile.ErrNotRegular):
		return usagef("--sbom-out %s exists and is not a regular file (a symbolic link or a directory); give a new path", path)
	case errors.Is(err, atomicfile.ErrForeign):
		return usagef("--sbom-out %s exists and is not an SBOM; berth replaces only an earlier SBOM there: give another path, or remove the file if it is yours to lose", path)
	case err != nil:
		return fmt.Errorf("checking --sbom-out %s: %w", path, err)
	}
	return nil
}

// isSBOM recognises an SPDX or CycloneDX JSON document.
func isSBOM(data []byte) bool {
	var head struct {
		SPDXVersion string `json:"spdxVersion"`
		BOMFormat   string `json:"bomFormat"`
	}
	return json.Unmarshal(data, &head) == nil && (head.SPDXVersion != "" || head.BOMFormat != "")
}

type cratesResult struct {
	crates []audit.Crate
	err    error
}

// startCrates lists, with cargo metadata and beside the cargo build, the
// crates the binary compiles in; none for a prebuilt --binary, or when
// neither the section nor the SBOM needs them. The list is kept in the
// crate cache under what cargo's resolve depends on (pipeline.CratesKey), so
// a source edit does not run cargo metadata again.
func (s supply) startCrates(ctx context.Context, runner *cargo.Runner, prebuilt bool, pkg, manifest string, bo cargo.BuildOptions) <-chan cratesResult {
	ch := make(chan cratesResult, 1)
	if prebuilt || (!s.auditSection && s.format == sbom.None) {
		ch <- cratesResult{}
		return ch
	}
	go func() {
		var r cratesResult
		defer func() { ch <- r }()
		defer timing.Start(ctx, "crate list")()
		wd, _ := os.Getwd()
		key, _ := pipeline.CratesKey(manifest, wd, bo, os.Environ())
		r.crates, r.err = crateCache().Crates(key, func() ([]audit.Crate, error) {
			defer timing.Start(ctx, "  cargo metadata")()
			res, err := resolveFor(ctx, runner, bo)
			if err != nil {
				return nil, fmt.Errorf("listing the crates compiled into the binary (for its .dep-v0 section and the SBOM; audit-section false and sbom none skip it): %w", err)
			}
			return pipeline.Crates(res, pkg)
		})
	}()
	return ch
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

// supplier is pipeline.Images' hook around each cargo build: the crates are
// listed beside it, then the binary gets its .dep-v0 section.
func (s supply) supplier(runner *cargo.Runner, prebuilt bool, pkg, manifest string) pipeline.Supplier {
	return func(ctx context.Context, bo cargo.BuildOptions) func(exe string) (string, []audit.Crate, error) {
		crates := s.startCrates(ctx, runner, prebuilt, pkg, manifest, bo)
		return func(exe string) (string, []audit.Crate, error) { return s.binary(exe, crates) }
	}
}

// binary returns the file to package and the crates it holds: with the
// section on, a copy of cargo's binary with .dep-v0 beside it in
// berth-audit/ (cargo's own file is never changed).
func (s supply) binary(exe string, crates <-chan cratesResult) (string, []audit.Crate, error) {
	r := <-crates
	if r.err != nil {
		return "", nil, r.err
	}
	if !s.auditSection {
		return exe, r.crates, nil
	}
	return pipeline.AuditedBinary(exe, filepath.Join(filepath.Dir(exe), "berth-audit"), r.crates, fileStamps())
}

// document renders the SBOM (nil when sbom is none) and writes it to out
// when out is not "".
func (s supply) document(c *pipeline.Contents, crates []audit.Crate, epoch time.Time, out string) (*publish.Attachment, error) {
	if s.format == sbom.None {
		return nil, nil
	}
	doc, mediaType, err := pipeline.SBOM(s.format, c, crates, epoch)
	if err != nil {
		return nil, err
	}
	if out != "" {
		if err := checkSBOMOut(out); err != nil {
			return nil, err
		}
		if err := atomicfile.WriteFile(out, func(w io.Writer) error {
			_, err := w.Write(doc)
			return err
		}); err != nil {
			return nil, fmt.Errorf("writing --sbom-out %s: %w", out, err)
		}
	}
	return &publish.Attachment{ArtifactType: mediaType, Data: doc, Created: epoch}, nil
}

// documents renders one SBOM per platform of a multi-platform build, each
// about its platform's image; --sbom-out FILE becomes one file per platform
// (sbom.json: sbom.linux-arm64.json).
func (s supply) documents(results []*pipeline.Result, epoch time.Time) ([]publish.Attachment, error) {
	var atts []publish.Attachment
	for _, r := range results {
		out := ""
		if s.out != "" {
			ext := filepath.Ext(s.out)
			if strings.HasSuffix(s.out, ".spdx.json") || strings.HasSuffix(s.out, ".cdx.json") {
				ext = filepath.Ext(strings.TrimSuffix(s.out, ".json")) + ".json"
			}
			out = strings.TrimSuffix(s.out, ext) + "." + strings.ReplaceAll(r.Platform.String(), "/", "-") + ext
		}
		att, err := s.document(r.Contents, r.Crates, epoch, out)
		if err != nil || att == nil {
			return nil, err
		}
		att.Subject = r.Image
		atts = append(atts, *att)
	}
	return atts, nil
}
