package pipeline

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestCookOnePlatform: cook takes one platform; more, none or an unknown
// one is an input error that says which, never "(<nil>)".
func TestCookOnePlatform(t *testing.T) {
	tests := []struct {
		platform string
		want     string
	}{
		{"linux/amd64,linux/arm64", `"linux/amd64,linux/arm64" names 2 platforms`},
		{" , ", "names 0 platforms"},
		{"linux/sparc", `platform "linux/sparc" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			_, _, err := CookFlags(context.Background(), CargoFlags{}, tt.platform, ".", io.Discard)
			if err == nil || !IsInput(err) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "<nil>") {
				t.Errorf("CookFlags(%q) = %v, want an input error with %q", tt.platform, err, tt.want)
			}
		})
	}
}
