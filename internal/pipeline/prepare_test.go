package pipeline

import (
	"context"
	"os"
	"path/filepath"
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
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "BERTH_COMPRESSION") {
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

// project writes a one-binary package with Cargo.toml's
// [package.metadata.berth] set to meta, and returns its manifest.
func project(t *testing.T, meta string) string {
	t.Helper()
	dir := t.TempDir()
	manifest := filepath.Join(dir, "Cargo.toml")
	files := map[string]string{
		manifest:                             "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.berth]\n" + meta,
		filepath.Join(dir, "src", "main.rs"): "fn main() {}\n",
		filepath.Join(dir, "notes.txt"):      "not an SBOM\n",
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return manifest
}

// TestPrepareRefuses: every bad request fails before cargo runs (none of
// these cases runs cargo or rustc) with an input error (exit 2) that names
// the value and where it came from.
func TestPrepareRefuses(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name  string
		meta  string // [package.metadata.berth]
		env   []string
		req   func(r *Request, dir string)
		wants []string
	}{
		{"port from a flag", "", nil, func(r *Request, _ string) { r.Settings.Values.Expose = []string{"70000"} }, []string{"70000", "flag"}},
		{"port from the environment", "", []string{"BERTH_EXPOSE=8080/icmp"}, nil, []string{"8080/icmp", "BERTH_EXPOSE"}},
		{"user from Cargo.toml", `user = "nobody"`, nil, nil, []string{"nobody", "Cargo.toml"}},
		{"unknown key in Cargo.toml", `USER = "x"`, nil, nil, []string{"USER", "user"}},
		{"bad tag", "", nil, func(r *Request, _ string) { r.Settings.Values.Tags = []string{"Bad Tag"} }, []string{"Bad Tag", "flag"}},
		{"unknown platform", "", []string{"BERTH_PLATFORMS=linux/sparc"}, nil, []string{"linux/sparc", "BERTH_PLATFORMS"}},
		{"compression", `compression = "brotli"`, nil, nil, []string{"brotli", "Cargo.toml"}},
		{"platforms and --target", "", nil, func(r *Request, _ string) {
			r.Settings.Values.Platforms = []string{"linux/arm64"}
			r.Cargo.Targets = []string{"aarch64-unknown-linux-gnu"}
		}, []string{"--target aarch64-unknown-linux-gnu and platforms", "flag"}},
		{"two targets", "", nil, func(r *Request, _ string) { r.Cargo.Targets = []string{"a-b-c", "d-e-f"} }, []string{"--target given 2 times", "--platform"}},
		{"two packages", "", nil, func(r *Request, _ string) { r.Cargo.Packages = []string{"a", "b"} }, []string{"-p given 2 times"}},
		{"missing --binary", "", nil, func(r *Request, dir string) { r.Binary = filepath.Join(dir, "nope") }, []string{"--binary", "nope"}},
		{"--sysroot not a directory", "", nil, func(r *Request, dir string) { r.Sysroot = filepath.Join(dir, "notes.txt") }, []string{"--sysroot", "not a directory"}},
		{"--sbom-out over a user's file", "", nil, func(r *Request, dir string) { r.SBOMOut = filepath.Join(dir, "notes.txt") }, []string{"--sbom-out", "is not an SBOM"}},
		{"--push without a tag", "", nil, func(r *Request, _ string) { r.Push = true }, []string{"--push needs at least one -t/--tag"}},
		{"--load-platform of one", "", nil, func(r *Request, _ string) { r.LoadPlatform = "linux/amd64" }, []string{"--load-platform chooses among several"}},
		{"stage on a base image", `base = "debian:12"`, nil, func(r *Request, _ string) { r.Stage = true }, []string{"stage takes base auto or scratch", "Cargo.toml"}},
		{"--runtime-from with --sysroot", "", nil, func(r *Request, dir string) { r.RuntimeFrom, r.Sysroot = "oci:x", dir }, []string{"--runtime-from and --sysroot"}},
		{"SOURCE_DATE_EPOCH", "", []string{"SOURCE_DATE_EPOCH=yesterday"}, nil, []string{"SOURCE_DATE_EPOCH", "yesterday"}},
		{"relative include destination", "", nil, func(r *Request, dir string) {
			r.Settings.Values.Include = []string{filepath.Join(dir, "notes.txt") + ":etc/notes"}
		}, []string{"etc/notes", "flag"}},
		{"relative library path", "", nil, func(r *Request, _ string) { r.LibraryPaths = []string{"vendor/lib"} }, []string{"vendor/lib", "relative"}},
		{"sbom none and --sbom-out", "", []string{"BERTH_SBOM=none"}, func(r *Request, dir string) { r.SBOMOut = filepath.Join(dir, "sbom.json") }, []string{"sbom is none (from BERTH_SBOM)"}},
		{"base scratch, --runtime-from", "", nil, func(r *Request, _ string) {
			r.Settings.Values.Base, r.RuntimeFrom = str("scratch"), "oci:x"
		}, []string{"--runtime-from takes the runtime files for the auto base", "flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifest := project(t, tt.meta)
			req := Request{Settings: config.Layer{Name: "flag"}, Cargo: CargoFlags{ManifestPath: manifest}, Env: append([]string{"PATH=/nonexistent"}, tt.env...)}
			if tt.req != nil {
				tt.req(&req, filepath.Dir(manifest))
			}
			_, err := Prepare(context.Background(), req)
			if err == nil || !IsInput(err) {
				t.Fatalf("Prepare = %v, want an input error", err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
