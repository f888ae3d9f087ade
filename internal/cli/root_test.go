package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
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
		{"--sign needs --push", []string{"build", "--sign", "--key", "cosign.key"}, 2, "", "--sign signs what is pushed"},
		{"--key needs --sign", []string{"build", "--push", "--key", "cosign.key"}, 2, "", "--key is the signing key of --sign"},
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
	o := &buildOptions{}
	o.base, o.tags, o.env, o.labels, o.zig = "scratch", []string{"a:1"}, []string{"A=1", "B=x=y"}, []string{"k=v"}, true
	changed := map[string]bool{"base": true, "tag": true, "env": true, "label": true, "zig": true}
	l, err := o.cargoFlags.layer(changed)
	if err == nil {
		err = o.settingFlags.layer(changed, &l.Values)
	}
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
	o = &buildOptions{}
	o.labels = []string{"nokey"}
	if err := o.settingFlags.layer(map[string]bool{"label": true}, &config.Build{}); err == nil || !strings.Contains(err.Error(), "--label") {
		t.Errorf("bad --label: err = %v", err)
	}
}

// TestCargoFlagVocabulary: --release is --profile release in every
// command, a conflicting --profile is an error, and flags that may take one
// value say so when repeated.
func TestCargoFlagVocabulary(t *testing.T) {
	tests := []struct {
		name    string
		c       cargoFlags
		changed map[string]bool
		profile string
		wantErr string
	}{
		{"release alone", cargoFlags{release: true, profile: "release"}, map[string]bool{"release": true}, "release", ""},
		{"release over cook's default", cargoFlags{release: true}, map[string]bool{"release": true}, "release", ""},
		{"release with profile release", cargoFlags{release: true, profile: "release"}, map[string]bool{"release": true, "profile": true}, "release", ""},
		{"release with another profile", cargoFlags{release: true, profile: "dev"}, map[string]bool{"release": true, "profile": true}, "", "--release is --profile release"},
		{"profile alone", cargoFlags{profile: "dev"}, map[string]bool{"profile": true}, "dev", ""},
		{"two bins", cargoFlags{bins: []string{"a", "b"}}, map[string]bool{"bin": true}, "", "--bin given 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := tt.c.layer(tt.changed)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || l.Values.Profile == nil || *l.Values.Profile != tt.profile {
				t.Errorf("layer = %+v, %v; want profile %q", l.Values, err, tt.profile)
			}
		})
	}
}
