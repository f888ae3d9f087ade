package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestMeterPlain(t *testing.T) {
	tests := []struct {
		name  string
		meter func(*bytes.Buffer) *Meter
		want  string // a prefix of the output; "" means none at all
	}{
		{"shown from the first update", func(b *bytes.Buffer) *Meter { return New(b, "pushing x") }, "pushing x: 0.5 / 1.0 MB ("},
		{"quiet while short", func(b *bytes.Buffer) *Meter { return After(b, "compressing x", time.Hour) }, ""},
		{"shown once past quiet", func(b *bytes.Buffer) *Meter { return After(b, "compressing x", -time.Second) }, "compressing x: 0.5 / 1.0 MB ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			m := tt.meter(&b)
			m.Update(500_000, 1_000_000)
			m.Update(600_000, 1_000_000) // within plainEvery: not shown
			m.Done(1_000_000, 1_000_000) // a plain log gets no final line
			got := b.String()
			if tt.want == "" && got != "" || !strings.HasPrefix(got, tt.want) || strings.Count(got, "\n") > 1 || strings.ContainsAny(got, "\r\x1b") {
				t.Errorf("output %q, want one plain line starting %q (or none)", got, tt.want)
			}
		})
	}
}
