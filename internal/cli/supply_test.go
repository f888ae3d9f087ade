package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSupplyFlagsCheck(t *testing.T) {
	for _, tc := range []struct {
		f  supplyFlags
		ok bool
	}{
		{supplyFlags{sbomFormat: "spdx"}, true},
		{supplyFlags{sbomFormat: "cyclonedx", sbomOut: "x.json"}, true},
		{supplyFlags{sbomFormat: "none", noAuditSection: true}, true},
		{supplyFlags{sbomFormat: "none", sbomOut: "x.json"}, false},
		{supplyFlags{sbomFormat: "swid"}, false},
	} {
		if err := tc.f.check(); (err == nil) != tc.ok {
			t.Errorf("%+v: check() = %v, want ok %v", tc.f, err, tc.ok)
		}
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
