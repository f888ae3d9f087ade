package cli

import (
	"strings"
	"testing"
)

// TestBerthImage: a generated Dockerfile names berth's image at the version
// that wrote it; a development build says so, and never names "latest".
func TestBerthImage(t *testing.T) {
	saved := version
	t.Cleanup(func() { version = saved })
	for _, tc := range []struct{ version, ref, note string }{
		{"v1.2.3", "ghcr.io/berth-dev/berth:v1.2.3", "The image of berth v1.2.3"},
		{"dev", "berth:dev", "development build of berth (dev)"},
		{"v1.2.4-0.20260101000000-abcdef+dirty", "berth:dev", "development build of berth (v1.2.4-0.20260101000000-abcdef+dirty)"},
	} {
		version = tc.version
		ref, note := berthImage()
		if ref != tc.ref || !strings.Contains(note, tc.note) || strings.Contains(ref, "latest") {
			t.Errorf("version %s: %s (%q), want %s (%q)", tc.version, ref, note, tc.ref, tc.note)
		}
	}
}
