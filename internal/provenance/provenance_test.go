package provenance

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const rustcVV = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\ncommit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860\ncommit-date: 2026-04-14\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n"

func sample() ([]Subject, Build) {
	subjects := []Subject{
		{Name: "api", Digest: "sha256:" + strings.Repeat("a", 64)},
		{Name: "api@linux/arm64", Digest: "sha256:" + strings.Repeat("b", 64)},
	}
	b := Build{
		External: External{
			Command: "build",
			Settings: map[string]Setting{
				"base":    {Value: json.RawMessage(`"auto"`), Source: "default"},
				"profile": {Value: json.RawMessage(`"release"`), Source: "flag"},
				"env":     {Value: json.RawMessage(`{"RUST_LOG":"info"}`), Source: "Cargo.toml [package.metadata.berth]"},
			},
			Cargo: Cargo{ManifestPath: "svc/Cargo.toml", Package: "api", Features: []string{"tls"}, Locked: true},
		},
		Internal: Internal{BerthVersion: "v0.9.0", SourceDateEpoch: "1700000000", Profile: "release", Features: []string{"tls"},
			Targets:       []Target{{Platform: "linux/arm64", Triple: "aarch64-unknown-linux-gnu"}},
			RemappedPaths: map[string]string{"workspace": "/berth/workspace", "cargo-home": "/berth/cargo-home", "target": "/berth/target"}},
		Dependencies: Dependencies{
			Source:   &Source{URL: "https://example.com/api.git", Commit: strings.Repeat("c", 40), Clean: true},
			Lockfile: &File{Path: "Cargo.lock", SHA256: strings.Repeat("d", 64)},
			Rustc:    &Rustc{Verbose: rustcVV},
			Images:   []Image{{Role: "runtime-from", Ref: "debian:bookworm", Digest: "sha256:" + strings.Repeat("e", 64), Platform: "linux/arm64"}},
			Packages: []Package{{Platform: "linux/arm64", Distro: "debian", Name: "libc6", Version: "2.36-9+deb12u4", Arch: "arm64"}},
		},
	}
	return subjects, b
}

// TestStatementGolden checks the statement byte for byte, twice (it is
// deterministic), against the in-toto and SLSA schemas, and reads it back.
func TestStatementGolden(t *testing.T) {
	subjects, b := sample()
	got, err := Statement(subjects, b)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Statement(subjects, b)
	if !bytes.Equal(got, again) {
		t.Fatal("two statements of one build differ")
	}
	checkGolden(t, "statement.golden.json", got)
	checkSchema(t, got)
	p, err := Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Subjects, subjects) || !reflect.DeepEqual(p.Build, b) {
		t.Errorf("read back:\n%+v\n%+v\nwant:\n%+v\n%+v", p.Subjects, p.Build, subjects, b)
	}
	if !p.About(subjects[1].Digest) || p.About("sha256:"+strings.Repeat("f", 64)) {
		t.Error("About does not tell the statement's subjects from others")
	}
}

// checkGolden compares got with testdata/name, which -update rewrites.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("statement differs from %s (go test -update to accept):\n%s", golden, got)
	}
}

func checkSchema(t *testing.T, doc []byte) {
	t.Helper()
	schema := gojsonschema.NewReferenceLoader("file://" + mustAbs(t, "testdata/statement.schema.json"))
	res, err := gojsonschema.Validate(schema, gojsonschema.NewBytesLoader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("schema: %s", e)
	}
}

func mustAbs(t *testing.T, p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestSchemaRejects proves the schema check can fail.
func TestSchemaRejects(t *testing.T) {
	schema := gojsonschema.NewReferenceLoader("file://" + mustAbs(t, "testdata/statement.schema.json"))
	for name, doc := range map[string]string{
		"no subject digest": `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x"}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://x","externalParameters":{}},"runDetails":{"builder":{"id":"https://b"}}}}`,
		"no builder id":     `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://x","externalParameters":{}},"runDetails":{"builder":{}}}}`,
	} {
		res, err := gojsonschema.Validate(schema, gojsonschema.NewStringLoader(doc))
		if err != nil || res.Valid() {
			t.Errorf("%s: schema accepted it (err %v)", name, err)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	subjects, b := sample()
	good, _ := Statement(subjects, b)
	tests := map[string]string{
		"not json":        "{",
		"other predicate": strings.Replace(string(good), PredicateType, "https://spdx.dev/Document", 1),
		"other build":     strings.Replace(string(good), BuildType, "https://example.com/other", 1),
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(doc)); err == nil {
				t.Error("Parse accepted it")
			}
		})
	}
}
