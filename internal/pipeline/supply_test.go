package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/sbom"
)

// TestSupplyResolve: the flags join the settings; --sbom-out with no SBOM
// to write is refused, naming where none came from.
func TestSupplyResolve(t *testing.T) {
	for _, tc := range []struct {
		name    string
		flags   config.Build // the flags the user set
		out     string       // --sbom-out
		meta    config.Build // [package.metadata.berth]
		want    supply
		wantErr string
	}{
		{name: "defaults", want: supply{format: "spdx", auditSection: true}},
		{name: "Cargo.toml", meta: config.Build{SBOM: ptr("cyclonedx"), AuditSection: ptr(false)},
			out: "x.json", want: supply{format: "cyclonedx", out: "x.json"}},
		{name: "flags over Cargo.toml", meta: config.Build{SBOM: ptr("none"), AuditSection: ptr(false)},
			flags: config.Build{SBOM: ptr("spdx"), AuditSection: ptr(true)}, out: "x.json",
			want: supply{format: "spdx", out: "x.json", auditSection: true}},
		{name: "unset flags leave Cargo.toml's", meta: config.Build{SBOM: ptr("none")}, want: supply{format: "none", auditSection: true}},
		{name: "--no-audit-section", flags: config.Build{AuditSection: ptr(false)}, want: supply{format: "spdx"}},
		{name: "--sbom none --sbom-out", flags: config.Build{SBOM: ptr("none")}, out: "x.json", wantErr: "sbom is none (from flag)"},
		{name: "sbom none in Cargo.toml, --sbom-out", meta: config.Build{SBOM: ptr("none")}, out: "x.json",
			wantErr: "sbom is none (from Cargo.toml [package.metadata.berth])"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Resolve(config.Layer{Name: "default", Values: config.Defaults()},
				config.Layer{Name: "Cargo.toml [package.metadata.berth]", Values: tc.meta}, config.Layer{Name: "flag", Values: tc.flags})
			got, err := resolveSupply(cfg, tc.out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("resolve = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestSBOMFormatsKnown: the formats config accepts are the ones the sbom
// package writes (and none), spdx first as the default.
func TestSBOMFormatsKnown(t *testing.T) {
	if *config.Defaults().SBOM != sbom.SPDX {
		t.Errorf("the default sbom is %q, want %q", *config.Defaults().SBOM, sbom.SPDX)
	}
	for _, f := range config.SBOMFormats {
		if f == sbom.None {
			continue
		}
		if _, _, err := sbom.Render(f, sbom.Input{Binary: sbom.File{Path: "/usr/local/bin/x"}}); err != nil {
			t.Errorf("config accepts sbom %q, which the sbom package does not write: %v", f, err)
		}
	}
	if !slices.Contains(config.SBOMFormats, sbom.None) {
		t.Errorf("config does not accept sbom %q", sbom.None)
	}
}

// TestCheckSBOMOut: --sbom-out replaces only an earlier SBOM.
func TestCheckSBOMOut(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"spdx.json":  `{"spdxVersion":"SPDX-2.3"}`,
		"cdx.json":   `{"bomFormat":"CycloneDX"}`,
		"Cargo.toml": "[package]\n",
		"other.json": `{"name":"x"}`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink(filepath.Join(dir, "spdx.json"), filepath.Join(dir, "link.json"))
	cases := []struct{ name, wantErr string }{
		{"absent.json", ""},
		{"spdx.json", ""},
		{"cdx.json", ""},
		{"Cargo.toml", "is not an SBOM"},
		{"other.json", "is not an SBOM"},
		{"link.json", "not a regular file"},
		{"missing/sbom.json", "does not exist; create it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkSBOMOut(filepath.Join(dir, c.name))
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
		})
	}
}
