package cargo

import (
	"strings"
	"testing"
)

func TestSplitGlibc(t *testing.T) {
	tests := []struct {
		target, triple, glibc, wantErr string
	}{
		{"aarch64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "", ""},
		{"aarch64-unknown-linux-gnu.2.17", "aarch64-unknown-linux-gnu", "2.17", ""},
		{"armv7-unknown-linux-gnueabihf.2.28", "armv7-unknown-linux-gnueabihf", "2.28", ""},
		{"x86_64-unknown-linux-musl", "x86_64-unknown-linux-musl", "", ""},
		{"x86_64-unknown-linux-musl.2.17", "", "", "-linux-gnu triple"},
		{"aarch64-unknown-linux-gnu.2", "", "", "glibc version such as aarch64-unknown-linux-gnu.2.17"},
		{"aarch64-unknown-linux-gnu.2.17.1", "", "", "not \"2.17.1\""},
		{"aarch64-unknown-linux-gnu.", "", "", "glibc version"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			triple, glibc, err := SplitGlibc(tt.target)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || triple != tt.triple || glibc != tt.glibc {
				t.Errorf("got %q %q %v, want %q %q", triple, glibc, err, tt.triple, tt.glibc)
			}
		})
	}
}
