package pipeline

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/image"
)

func TestSourceDateEpoch(t *testing.T) {
	tests := []struct {
		value string
		want  int64
		err   bool
	}{{"", 0, false}, {"1700000000", 1700000000, false}, {"yesterday", 0, true}, {"-5", 0, true},
		{"253402300799", 253402300799, false}, {"253402300800", 0, true}, {"99999999999999", 0, true}}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, err := sourceDateEpoch([]string{"SOURCE_DATE_EPOCH=" + tt.value})
			if (err != nil) != tt.err || (err == nil && got.Unix() != tt.want) {
				t.Errorf("sourceDateEpoch() = %v, %v; want %d, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestCompressionSetting(t *testing.T) {
	zstd, bad := "zstd", "brotli"
	tests := []struct {
		name    string
		value   *string
		want    image.Compression
		wantErr string
	}{
		{"unset", nil, image.Gzip, ""},
		{"zstd", &zstd, image.Zstd, ""},
		{"unknown", &bad, "", `unknown compression "brotli"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Resolve(config.Layer{Name: "environment", Values: config.Build{Compression: tt.value}})
			got, err := compression(cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "environment") {
					t.Errorf("error = %v, want %q naming where the value came from", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("compression = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
