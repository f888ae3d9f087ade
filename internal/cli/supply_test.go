package cli

import "testing"

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
