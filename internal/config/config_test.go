package config

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestResolveOrder(t *testing.T) {
	meta, err := FromMetadata("Cargo.toml [package.metadata.berth]", json.RawMessage(
		`{"berth":{"base":"scratch","tags":["a:1"],"env":{"A":"1","B":"2"},"static":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	env, err := FromEnv(mapLookup(map[string]string{"BERTH_TAGS": "b:2, c:3", "BERTH_ENV": "B=3"}))
	if err != nil {
		t.Fatal(err)
	}
	flags := Layer{Name: "flag", Values: Build{Static: ptr(false)}}
	r := Resolve(Layer{Name: "default", Values: Defaults()}, meta, env, flags)

	tests := []struct {
		key, source string
		got, want   any
	}{
		{"base", "Cargo.toml [package.metadata.berth]", *r.Base, "scratch"},
		{"tags", "environment", r.Tags, []string{"b:2", "c:3"}},
		{"env", "environment", r.Env, map[string]string{"A": "1", "B": "3"}},
		{"static", "flag", *r.Static, false},
		{"profile", "default", *r.Profile, "release"},
		{"bin", "default", r.Bin, (*string)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("value = %#v, want %#v", tt.got, tt.want)
			}
			if got := r.Source(tt.key); got != tt.source {
				t.Errorf("source = %q, want %q", got, tt.source)
			}
		})
	}
}

func TestErrorsNameTheirSource(t *testing.T) {
	tests := []struct {
		name string
		run  func() error
		want []string
	}{
		{"unknown metadata key", func() error {
			_, err := FromMetadata("Cargo.toml [package.metadata.berth]", json.RawMessage(`{"berth":{"bsae":"x"}}`))
			return err
		}, []string{"Cargo.toml [package.metadata.berth]", "bsae", "known keys"}},
		{"wrong metadata type", func() error {
			_, err := FromMetadata("Cargo.toml [workspace.metadata.berth]", json.RawMessage(`{"berth":{"static":"yes"}}`))
			return err
		}, []string{"[workspace.metadata.berth]", "static"}},
		{"bad env bool", func() error {
			_, err := FromEnv(mapLookup(map[string]string{"BERTH_STATIC": "maybe"}))
			return err
		}, []string{"BERTH_STATIC", "maybe", "true or false"}},
		{"env bool other than true or false", func() error {
			_, err := FromEnv(mapLookup(map[string]string{"BERTH_AUDIT_SECTION": "1"}))
			return err
		}, []string{"BERTH_AUDIT_SECTION", `"1"`, "true or false"}},
		{"metadata bool as a string", func() error {
			_, err := FromMetadata("Cargo.toml [package.metadata.berth]", json.RawMessage(`{"berth":{"audit-section":"no"}}`))
			return err
		}, []string{"[package.metadata.berth]", "audit-section is a string", "true or false"}},
		{"metadata string as a boolean", func() error {
			_, err := FromMetadata("Cargo.toml [workspace.metadata.berth]", json.RawMessage(`{"berth":{"sbom":false}}`))
			return err
		}, []string{"[workspace.metadata.berth]", "sbom is a boolean", "want a string"}},
		{"bad env pair", func() error {
			_, err := FromEnv(mapLookup(map[string]string{"BERTH_LABELS": "novalue"}))
			return err
		}, []string{"BERTH_LABELS", "KEY=VALUE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestSupplySettings: sbom and audit-section resolve like every setting,
// each value with its source, and environment booleans are exactly true
// or false.
func TestSupplySettings(t *testing.T) {
	const pkg = "Cargo.toml [package.metadata.berth]"
	tests := []struct {
		name      string
		meta      string // the berth table, JSON
		env       map[string]string
		flags     Build
		sbom      string
		audit     bool
		sbomFrom  string
		auditFrom string
	}{
		{"defaults", `{}`, nil, Build{}, "spdx", true, "default", "default"},
		{"Cargo.toml", `{"sbom":"cyclonedx","audit-section":false}`, nil, Build{}, "cyclonedx", false, pkg, pkg},
		{"environment over Cargo.toml", `{"sbom":"cyclonedx","audit-section":false}`,
			map[string]string{"BERTH_SBOM": "none", "BERTH_AUDIT_SECTION": "true"}, Build{}, "none", true, EnvLayer, EnvLayer},
		{"flags over the environment", `{}`, map[string]string{"BERTH_SBOM": "none", "BERTH_AUDIT_SECTION": "true"},
			Build{SBOM: ptr("spdx"), AuditSection: ptr(false)}, "spdx", false, "flag", "flag"},
		{"one from each", `{"audit-section":false}`, map[string]string{"BERTH_SBOM": "cyclonedx"}, Build{}, "cyclonedx", false, EnvLayer, pkg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meta, err := FromMetadata(pkg, json.RawMessage(`{"berth":`+tt.meta+`}`))
			if err != nil {
				t.Fatal(err)
			}
			env, err := FromEnv(mapLookup(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			r := Resolve(Layer{Name: "default", Values: Defaults()}, meta, env, Layer{Name: "flag", Values: tt.flags})
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			if *r.SBOM != tt.sbom || r.Source("sbom") != tt.sbomFrom {
				t.Errorf("sbom = %q from %q, want %q from %q", *r.SBOM, r.Source("sbom"), tt.sbom, tt.sbomFrom)
			}
			if *r.AuditSection != tt.audit || r.Source("audit-section") != tt.auditFrom {
				t.Errorf("audit-section = %v from %q, want %v from %q", *r.AuditSection, r.Source("audit-section"), tt.audit, tt.auditFrom)
			}
		})
	}
}

func TestMetadataWithoutBerthTable(t *testing.T) {
	for _, raw := range []string{``, `null`, `{}`, `{"other":{"x":1}}`} {
		l, err := FromMetadata("m", json.RawMessage(raw))
		if err != nil || !reflect.DeepEqual(l.Values, Build{}) {
			t.Errorf("FromMetadata(%q) = %+v, %v; want empty", raw, l.Values, err)
		}
	}
}

func mapLookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestMetadataKeysExact: keys of a berth table are case-sensitive, like
// every Cargo.toml key; USER is an unknown key that names user.
func TestMetadataKeysExact(t *testing.T) {
	tests := []struct {
		table string
		want  []string
	}{
		{`{"USER":"nobody"}`, []string{`unknown key "USER"`, `did you mean "user"`, "known keys"}},
		{`{"user":"root","USER":"nobody"}`, []string{`unknown key "USER"`}},
		{`{"Expose":["80"]}`, []string{`unknown key "Expose"`, `"expose"`}},
		{`{"zzz":1}`, []string{`unknown key "zzz"`, "known keys"}},
		{`{"user":"root","audit-section":true}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			_, err := FromMetadata("Cargo.toml [package.metadata.berth]", json.RawMessage(`{"berth":`+tt.table+`}`))
			if tt.want == nil && err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("FromMetadata = %v, want an error containing %q", err, w)
				}
			}
		})
	}
}

func TestUnknownEnv(t *testing.T) {
	tests := []struct {
		env  []string
		want []string // parts of the one warning; nil: none
	}{
		{[]string{"BERTH_USER=x", "BERTH_CACHE_DIR=off", "BERTH_E2E=1", "PATH=/bin", "XBERTH_FOO=1"}, nil},
		{[]string{"BERTH_EXPOSED=80"}, []string{"BERTH_EXPOSED", "ignored", "did you mean BERTH_EXPOSE?"}},
		{[]string{"BERTH_AUDIT-SECTION=false"}, []string{"BERTH_AUDIT-SECTION", "BERTH_AUDIT_SECTION"}},
		{[]string{"BERTH_FROBNICATE=1"}, []string{"BERTH_FROBNICATE", "settings: ", "BERTH_USER"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.env, " "), func(t *testing.T) {
			got := UnknownEnv(tt.env)
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("UnknownEnv = %q, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("UnknownEnv = %q, want one warning", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("warning %q does not mention %q", got[0], w)
				}
			}
		})
	}
}

func TestParsePairsRefusesOddKeys(t *testing.T) {
	for _, p := range []string{"A\nB=1", "A\x00=1", "=1", "novalue"} {
		if _, err := ParsePairs([]string{p}); err == nil {
			t.Errorf("ParsePairs(%q) accepted it", p)
		}
	}
	if m, err := ParsePairs([]string{"A=b=c", "B="}); err != nil || m["A"] != "b=c" || m["B"] != "" {
		t.Errorf("ParsePairs = %v, %v", m, err)
	}
}
