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
