package config

import (
	"strings"
	"testing"
)

func TestValidUser(t *testing.T) {
	cases := []struct {
		user    string
		wantErr string
	}{
		{"65532:65532", ""},
		{"65532", ""},
		{"0", ""},
		{"root", ""},
		{"nonroot:nonroot", ""},
		{"app-user:100", ""},
		{"", "empty"},
		{"  ", "empty"},
		{"a:b:c", "USER:GROUP"},
		{"-1", "not a user or group id"},
		{"1:", "empty user or group"},
		{":1", "empty user or group"},
		{"2147483648", "not a user or group id"},
		{"007", "not a user or group id"},
		{"Bad Name", "not a valid user or group name"},
	}
	for _, c := range cases {
		t.Run(c.user, func(t *testing.T) {
			err := ValidUser(c.user)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidUser(%q) = %v", c.user, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("ValidUser(%q) = %v, want an error containing %q", c.user, err, c.wantErr)
			}
		})
	}
}

// TestValidateNamesSource: a bad value is refused naming where it came
// from: the variable for the environment, else the layer.
func TestValidateNamesSource(t *testing.T) {
	tests := []struct {
		name  string
		layer func() (Layer, error)
		want  []string
	}{
		{"empty BERTH_USER", func() (Layer, error) {
			return FromEnv(mapLookup(map[string]string{"BERTH_USER": ""}))
		}, []string{`user ""`, "BERTH_USER"}},
		{"BERTH_SBOM", func() (Layer, error) {
			return FromEnv(mapLookup(map[string]string{"BERTH_SBOM": "SPDX"}))
		}, []string{`sbom "SPDX"`, "BERTH_SBOM", "spdx, cyclonedx, none"}},
		{"sbom in Cargo.toml", func() (Layer, error) {
			return FromMetadata("Cargo.toml [workspace.metadata.berth]", []byte(`{"berth":{"sbom":"swid"}}`))
		}, []string{`sbom "swid"`, "from Cargo.toml [workspace.metadata.berth]"}},
		{"--sbom", func() (Layer, error) {
			return Layer{Name: "flag", Values: Build{SBOM: ptr("")}}, nil
		}, []string{`sbom ""`, "from flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := tt.layer()
			if err != nil {
				t.Fatal(err)
			}
			err = Resolve(Layer{Name: "default", Values: Defaults()}, l).Validate()
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %v, want an error containing %q", err, w)
				}
			}
		})
	}
}
