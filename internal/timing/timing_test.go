package timing

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestStart(t *testing.T) {
	tests := []struct {
		name   string
		record bool
		want   string
	}{
		{"recorded", true, "timing:     25.0 ms  closure                            (from +10.0 ms)\n"},
		{"no recorder", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			ctx := context.Background()
			if tt.record {
				r := New(&out)
				// The span starts 10 ms after the recorder and ends 25 ms later.
				times := []time.Time{r.start.Add(10 * time.Millisecond), r.start.Add(35 * time.Millisecond)}
				r.now = func() time.Time { t := times[0]; times = times[1:]; return t }
				ctx = With(ctx, r)
				Startf(ctx, "%s", "closure")()
			} else {
				Start(ctx, "closure")()
			}
			if got := out.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
