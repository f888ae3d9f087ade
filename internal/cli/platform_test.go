package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/pipeline"
)

// TestPlanOnePlatform: stage and cook take one platform; more, none or an
// unknown one is a usage error that says which, never "(<nil>)".
func TestPlanOnePlatform(t *testing.T) {
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
			_, err := planOne(context.Background(), nil, tt.platform, pipeline.TargetRequest{})
			var ue usageError
			if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "<nil>") {
				t.Errorf("planOne(%q) = %v, want a usage error with %q", tt.platform, err, tt.want)
			}
		})
	}
}
