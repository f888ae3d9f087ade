package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Build holds the settings of `cargo berth build` that may come from
// Cargo.toml or the environment as well as from flags. A nil field is unset.
//
// In Cargo.toml they live under [package.metadata.berth] (or, for every
// member, [workspace.metadata.berth]); in the environment each is BERTH_<KEY>
// in upper case with dashes as underscores (lists comma-separated, maps as
// K=V,K=V).
type Build struct {
	Base    *string           `json:"base"`
	Tags    []string          `json:"tags"`
	Static  *bool             `json:"static"`
	Bin     *string           `json:"bin"`
	Profile *string           `json:"profile"`
	User    *string           `json:"user"`
	Expose  []string          `json:"expose"`
	Env     map[string]string `json:"env"`
	Labels  map[string]string `json:"labels"`
	Include []string          `json:"include"`
	// Platforms are OS/arch[/variant] values (linux/arm64), one image each.
	Platforms []string `json:"platforms"`
	// Compression of the image's new layers: gzip (default) or zstd.
	Compression *string `json:"compression"`
	// Zig links the explicit targets with zig, through berth's own
	// `zig cc` wrapper (package zigcc).
	Zig *bool `json:"zig"`
	// RuntimeFrom is the image the runtime files (shared libraries, CA
	// bundle) of build's image come from instead of the build machine
	// (--runtime-from): a team's default for machines that are not Linux.
	RuntimeFrom *string `json:"runtime-from"`
	// SBOM is the format of the image's SBOM: one of SBOMFormats.
	SBOM *string `json:"sbom"`
	// AuditSection adds the crate list (.dep-v0) to a copy of the binary.
	AuditSection *bool `json:"audit-section"`
	// Provenance is the image's provenance: one of ProvenanceKinds.
	Provenance *string `json:"provenance"`
	// RemapPaths gives rustc neutral names for the workspace, CARGO_HOME,
	// the target directory and path dependencies outside the workspace
	// (--remap-path-prefix), so that another checkout path, CARGO_HOME or
	// user builds the same bytes; berth's host builds then use a target
	// directory of their own.
	RemapPaths *bool `json:"remap-paths"`
	// TZData ships the zone database; unset means automatic (when the
	// binary can read it).
	TZData *bool `json:"tzdata"`
	// Init puts tini in front of the binary as PID 1.
	Init *bool `json:"init"`
	// Healthcheck is the image's health check, "CMD ..." as in a
	// Dockerfile; the health-* keys are docker's options of it.
	Healthcheck       *string `json:"healthcheck"`
	HealthInterval    *string `json:"health-interval"`
	HealthTimeout     *string `json:"health-timeout"`
	HealthRetries     *string `json:"health-retries"`
	HealthStartPeriod *string `json:"health-start-period"`
	// SplitDebuginfo strips the image's binary and keeps its debug
	// information in a separate file linked by build-id.
	SplitDebuginfo *bool `json:"split-debuginfo"`
	// DebugVariant also makes the image with a static busybox under
	// /busybox, published under each tag with -debug appended.
	DebugVariant *bool `json:"debug-variant"`
}

// ProvenanceKinds are the values of provenance: SLSA v1 (the default) or
// none.
var ProvenanceKinds = []string{"slsa", "none"}

// SBOMFormats are the values of sbom: SPDX 2.3 JSON (the default),
// CycloneDX 1.6 JSON, or no SBOM.
var SBOMFormats = []string{"spdx", "cyclonedx", "none"}

// Defaults are the built-in values, the lowest layer.
func Defaults() Build {
	base, profile, user, sbom, audit, prov, remap := "auto", "release", "65532:65532", SBOMFormats[0], true, ProvenanceKinds[0], true
	return Build{Base: &base, Profile: &profile, User: &user, SBOM: &sbom, AuditSection: &audit, Provenance: &prov, RemapPaths: &remap}
}

// Layer is one source of settings with a name used in messages.
type Layer struct {
	Name   string // e.g. "Cargo.toml [package.metadata.berth]", "flag"
	Values Build
}

// Resolved is the merged settings and, for each key, the layer it came from.
type Resolved struct {
	Build
	Sources map[string]string
}

// Source says where key got its value ("default" when no layer set it).
func (r Resolved) Source(key string) string {
	if s, ok := r.Sources[key]; ok {
		return s
	}
	return "default"
}

// Resolve merges layers, later ones winning key by key: pass them as
// defaults, workspace metadata, package metadata, environment, flags.
func Resolve(layers ...Layer) Resolved {
	out := Resolved{Sources: map[string]string{}}
	dst := reflect.ValueOf(&out.Build).Elem()
	for _, l := range layers {
		src := reflect.ValueOf(l.Values)
		for i := 0; i < src.NumField(); i++ {
			if src.Field(i).IsNil() {
				continue
			}
			if src.Field(i).Kind() == reflect.Map {
				mergeMap(dst.Field(i), src.Field(i))
			} else {
				dst.Field(i).Set(src.Field(i))
			}
			out.Sources[key(dst.Type().Field(i))] = l.Name
		}
	}
	return out
}

// mergeMap adds src's entries to dst: maps (env, labels) merge key by key
// across layers instead of replacing each other.
func mergeMap(dst, src reflect.Value) {
	if dst.IsNil() {
		dst.Set(reflect.MakeMap(src.Type()))
	}
	for _, k := range src.MapKeys() {
		dst.SetMapIndex(k, src.MapIndex(k))
	}
}

// FromMetadata reads the "berth" table of a [package.metadata] or
// [workspace.metadata] JSON object as cargo metadata reports it. Unknown keys
// are an error, so that a typo does not pass silently.
func FromMetadata(name string, metadata json.RawMessage) (Layer, error) {
	l := Layer{Name: name}
	if len(metadata) == 0 || string(metadata) == "null" {
		return l, nil
	}
	var outer struct {
		Berth json.RawMessage `json:"berth"`
	}
	if err := json.Unmarshal(metadata, &outer); err != nil {
		return l, fmt.Errorf("%s: %w", name, err)
	}
	if len(outer.Berth) == 0 || string(outer.Berth) == "null" {
		return l, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(outer.Berth, &keys); err != nil {
		return l, fmt.Errorf("%s: want a table of settings: %w", name, err)
	}
	if err := checkMetadataKeys(name, mapKeys(keys)); err != nil {
		return l, err
	}
	dec := json.NewDecoder(strings.NewReader(string(outer.Berth)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l.Values); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			got, ok := tomlKinds[te.Value]
			if !ok {
				got = te.Value
			}
			return l, fmt.Errorf("%s: %s is %s, want %s", name, te.Field, got, kindOf(te.Type))
		}
		return l, fmt.Errorf("%s: %v (known keys: %s)", name, err, strings.Join(Keys(), ", "))
	}
	return l, nil
}

func mapKeys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// tomlKinds names JSON's kinds of value (as cargo metadata reports
// Cargo.toml) as TOML does.
var tomlKinds = map[string]string{"bool": "a boolean", "number": "a number", "string": "a string", "array": "a list", "object": "a table"}

// kindOf says what a setting of type t is, as TOML writes it.
func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return `a list of strings (["a", "b"])`
	case reflect.Map:
		return `a table of strings ({ KEY = "value" })`
	}
	return "a string"
}

// EnvLayer is the name of FromEnv's layer, as Resolved.Source reports it.
const EnvLayer = "environment"

// FromEnv reads BERTH_<KEY> variables through lookup (os.LookupEnv).
func FromEnv(lookup func(string) (string, bool)) (Layer, error) {
	l := Layer{Name: EnvLayer}
	v := reflect.ValueOf(&l.Values).Elem()
	for i := 0; i < v.NumField(); i++ {
		name := EnvName(key(v.Type().Field(i)))
		raw, ok := lookup(name)
		if !ok {
			continue
		}
		if err := setFromString(v.Field(i), raw); err != nil {
			return l, fmt.Errorf("environment variable %s=%q: %w", name, raw, err)
		}
	}
	return l, nil
}

// EnvName is the environment variable for a key.
func EnvName(key string) string {
	return "BERTH_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// Keys lists the setting keys, sorted.
func Keys() []string {
	t := reflect.TypeOf(Build{})
	out := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		out = append(out, key(t.Field(i)))
	}
	sort.Strings(out)
	return out
}

func key(f reflect.StructField) string {
	return strings.Split(f.Tag.Get("json"), ",")[0]
}

func setFromString(f reflect.Value, raw string) error {
	switch f.Type().Kind() {
	case reflect.Pointer:
		switch f.Type().Elem().Kind() {
		case reflect.Bool:
			// Only what Cargo.toml accepts: not 1, T or yes, which
			// strconv.ParseBool would take for true, or not at all.
			if raw != "true" && raw != "false" {
				return fmt.Errorf("want true or false")
			}
			b := raw == "true"
			f.Set(reflect.ValueOf(&b))
		default:
			s := raw
			f.Set(reflect.ValueOf(&s))
		}
	case reflect.Slice:
		f.Set(reflect.ValueOf(splitList(raw)))
	case reflect.Map:
		m, err := ParsePairs(splitList(raw))
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(m))
	}
	return nil
}

func splitList(raw string) []string {
	out := []string{}
	for _, s := range strings.Split(raw, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ParsePairs turns ["K=V", ...] into a map; a pair without "=", with an
// empty key or with a control character (newline, NUL) in its key is an
// error.
func ParsePairs(pairs []string) (map[string]string, error) {
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE", p)
		}
		if err := checkPairKey("entry", k); err != nil {
			return nil, fmt.Errorf("%q: %w", p, err)
		}
		m[k] = v
	}
	return m, nil
}
