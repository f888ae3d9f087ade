package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/image"
)

func TestMainExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"version", []string{"--version"}, 0, "cargo berth version", ""},
		{"cargo inserts berth", []string{"berth", "--version"}, 0, "cargo berth version", ""},
		{"help lists commands", []string{"berth", "--help"}, 0, "build", ""},
		{"unknown command", []string{"berth", "nosuch"}, 2, "", `unknown command "nosuch"`},
		{"unknown flag", []string{"build", "--nosuch"}, 2, "", "unknown flag: --nosuch"},
		{"positional argument", []string{"build", "extra"}, 2, "", `unknown argument "extra" for "cargo berth build"`},
		{"stage needs --out", []string{"stage"}, 2, "", "--out DIR is required"},
		{"usage hint names the command", []string{"build", "--nosuch"}, 2, "", "run 'cargo berth build --help'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), tt.args, &out, &errb)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout = %q, want it to contain %q", out.String(), tt.stdout)
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", errb.String(), tt.stderr)
			}
		})
	}
}

func TestBuildFlagLayer(t *testing.T) {
	o := &buildOptions{base: "scratch", tags: []string{"a:1"}, env: []string{"A=1", "B=x=y"}, labels: []string{"k=v"}, zig: true}
	l, err := o.flagLayer(map[string]bool{"base": true, "tag": true, "env": true, "label": true, "zig": true})
	if err != nil {
		t.Fatal(err)
	}
	v := l.Values
	if *v.Base != "scratch" || v.Tags[0] != "a:1" || v.Env["B"] != "x=y" || v.Labels["k"] != "v" || v.Zig == nil || !*v.Zig {
		t.Errorf("flag layer = %+v", v)
	}
	if v.Static != nil || v.Bin != nil || v.Profile != nil {
		t.Errorf("unset flags leaked into the layer: %+v", v)
	}
	o = &buildOptions{labels: []string{"nokey"}}
	if _, err := o.flagLayer(map[string]bool{"label": true}); err == nil || !strings.Contains(err.Error(), "--label") {
		t.Errorf("bad --label: err = %v", err)
	}
}

func TestSourceDateEpoch(t *testing.T) {
	tests := []struct {
		value string
		want  int64
		err   bool
	}{{"", 0, false}, {"1700000000", 1700000000, false}, {"yesterday", 0, true}, {"-5", 0, true},
		{"253402300799", 253402300799, false}, {"253402300800", 0, true}, {"99999999999999", 0, true}}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Setenv("SOURCE_DATE_EPOCH", tt.value)
			got, err := sourceDateEpoch()
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
