package verify

import (
	"encoding/json"
	"testing"

	"github.com/berth-dev/berth/internal/provenance"
)

// TestRequestRemapPaths: the rebuild remaps rustc's paths as the recorded
// build did; a provenance from before the setting existed was built
// without the remap.
func TestRequestRemapPaths(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]provenance.Setting
		want     bool
	}{
		{"recorded on", map[string]provenance.Setting{"remap-paths": {Value: json.RawMessage("true"), Source: "default"}}, true},
		{"recorded off", map[string]provenance.Setting{"remap-paths": {Value: json.RawMessage("false"), Source: "flag"}}, false},
		{"not recorded: an older berth", map[string]provenance.Setting{"profile": {Value: json.RawMessage(`"release"`), Source: "default"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := provenance.Build{External: provenance.External{Settings: tt.settings}}
			req, err := request(b, t.TempDir(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := req.Settings.Values.RemapPaths
			if got == nil || *got != tt.want {
				t.Errorf("remap-paths = %v, want %v", got, tt.want)
			}
		})
	}
}
