package sbom

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	spdxjson "github.com/spdx/tools-golang/json"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func input() Input {
	return Input{
		Name:    "hello",
		Created: time.Unix(1700000000, 0),
		Binary:  File{Path: "/usr/local/bin/hello", SHA256: strings.Repeat("ab", 32)},
		Crates: []Crate{
			{Name: "bytes", Version: "1.2.1", Source: "crates.io", License: "MIT"},
			{Name: "hello", Version: "0.1.0", Source: "local", License: "MIT OR Apache-2.0", Root: true, Deps: []int{0, 2}},
			{Name: "ryu", Version: "1.0.2", Source: "crates.io", License: "Apache-2.0 OR BSL-1.0"},
		},
		// In the order the package database gives them, not sorted.
		Packages: []OSPackage{
			{Name: "libgcc-s1", Version: "12.2.0-14+deb12u1", Arch: "amd64", Source: "gcc-12", SourceVersion: "12.2.0-14+deb12u1"},
			{Name: "libc6", Version: "2.36-9+deb12u14", Arch: "amd64", Source: "glibc"},
		},
		Distro:  &Distro{ID: "debian", VersionID: "12"},
		Unowned: []File{{Path: "/opt/lib/libextra.so.1", SHA256: strings.Repeat("cd", 32)}},
		Notes:   []string{"/opt/lib/libextra.so.1 belongs to no package"},
	}
}

func TestRender(t *testing.T) {
	noCrates := input()
	noCrates.Crates, noCrates.Distro, noCrates.Packages = nil, nil, nil
	// Licenses as crates write them: the old slash form inside a larger
	// expression, names not on the SPDX list, unbalanced parentheses.
	oddLicenses := input()
	oddLicenses.Crates[0].License = "MIT AND Apache-2.0/BSL-1.0 AND ISC"
	oddLicenses.Crates[1].License = "Proprietary"
	oddLicenses.Crates[2].License = "(MIT OR Apache-2.0"
	for _, tc := range []struct {
		name, format, mediaType string
		in                      Input
	}{
		{"spdx.json", SPDX, SPDXMediaType, input()},
		{"cyclonedx.json", CycloneDX, CycloneDXMediaType, input()},
		{"spdx-binary-only.json", SPDX, SPDXMediaType, noCrates},
		{"cyclonedx-binary-only.json", CycloneDX, CycloneDXMediaType, noCrates},
		{"spdx-odd-licenses.json", SPDX, SPDXMediaType, oddLicenses},
		{"cyclonedx-odd-licenses.json", CycloneDX, CycloneDXMediaType, oddLicenses},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, mt, err := Render(tc.format, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if mt != tc.mediaType {
				t.Errorf("media type %s, want %s", mt, tc.mediaType)
			}
			if !json.Valid(got) {
				t.Fatal("not JSON")
			}
			again, _, _ := Render(tc.format, tc.in)
			if !bytes.Equal(got, again) {
				t.Error("two renderings differ")
			}
			golden := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; run go test -update and review the diff:\n%s", tc.name, got)
			}
		})
	}
}

// TestContentNamespace: another input gives another namespace and serial.
func TestContentNamespace(t *testing.T) {
	other := input()
	other.Crates[0].Version = "1.2.2"
	for _, f := range []string{SPDX, CycloneDX} {
		a, _, _ := Render(f, input())
		b, _, _ := Render(f, other)
		if id(t, a) == id(t, b) {
			t.Errorf("%s: different content, same namespace %s", f, id(t, a))
		}
	}
}

func id(t *testing.T, doc []byte) string {
	var v struct {
		NS     string `json:"documentNamespace"`
		Serial string `json:"serialNumber"`
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	return v.NS + v.Serial
}

func TestRenderBadInput(t *testing.T) {
	in := input()
	in.Crates[1].Deps = []int{7}
	if _, _, err := Render(SPDX, in); err == nil {
		t.Error("dependency index out of range: want an error")
	}
	if _, _, err := Render("swid", input()); err == nil || !strings.Contains(err.Error(), "spdx, cyclonedx or none") {
		t.Errorf("unknown format: err = %v", err)
	}
}

func TestPURLs(t *testing.T) {
	d := &Distro{ID: "debian", VersionID: "12"}
	for _, tc := range []struct{ got, want string }{
		{CratePURL(Crate{Name: "serde_json", Version: "1.0.87"}), "pkg:cargo/serde_json@1.0.87"},
		{DebPURL(OSPackage{Name: "libc6", Version: "2.36-9+deb12u14", Arch: "amd64"}, d), "pkg:deb/debian/libc6@2.36-9+deb12u14?arch=amd64&distro=debian-12"},
		{DebPURL(OSPackage{Name: "libssl3", Version: "3.0.17-1~deb12u2", Arch: "amd64", Source: "openssl"}, d), "pkg:deb/debian/libssl3@3.0.17-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"},
		{DebPURL(OSPackage{Name: "libc6", Version: "2.36", Arch: "arm64"}, nil), "pkg:deb/debian/libc6@2.36?arch=arm64"},
	} {
		if tc.got != tc.want {
			t.Errorf("purl %s, want %s", tc.got, tc.want)
		}
	}
}

// TestLicenseExpressions: Cargo.toml license fields become valid SPDX
// expressions of the same meaning, or no assertion; testdata/licenses.golden
// holds one "field -> expression" line each.
func TestLicenseExpressions(t *testing.T) {
	fields := []string{
		"MIT", "mit", "MIT OR Apache-2.0", "mit or apache-2.0",
		"MIT/Apache-2.0", "Unlicense/MIT",
		"MIT AND MIT/Apache-2.0 AND BSD-3-Clause",
		"MIT OR Apache-2.0 AND BSD-2-Clause",
		"(MIT OR Apache-2.0) AND BSD-2-Clause",
		"Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH Foo-exception",
		"GPL-2.0+", "GPL-2.0", "LGPL-2.1-or-later",
		"Proprietary", "MIT OR Proprietary", "Custom License/MIT", "LicenseRef-Mine",
		"(MIT", "MIT)", "MIT AND", "AND MIT", "MIT Apache-2.0", "", "see LICENSE file", "/",
	}
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%q -> %q\n", f, orNoAssertion(licenseExpression(f)))
	}
	golden(t, "licenses.golden", []byte(b.String()))
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff:\n%s", name, got)
	}
}

// TestLibrariesReadBack: each document decodes with its format's own
// library, and says what was put in.
func TestLibrariesReadBack(t *testing.T) {
	spdxDoc, _, err := Render(SPDX, input())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := spdxjson.Read(bytes.NewReader(spdxDoc))
	if err != nil {
		t.Fatalf("tools-golang cannot read the SPDX document: %v", err)
	}
	if doc.SPDXVersion != "SPDX-2.3" || len(doc.Packages) != 5 || len(doc.Files) != 2 {
		t.Errorf("SPDX read back: version %s, %d packages, %d files; want SPDX-2.3, 5, 2", doc.SPDXVersion, len(doc.Packages), len(doc.Files))
	}
	cdxDoc, _, err := Render(CycloneDX, input())
	if err != nil {
		t.Fatal(err)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(cdxDoc), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatalf("cyclonedx-go cannot read the CycloneDX document: %v", err)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || bom.Components == nil || len(*bom.Components) != 6 {
		t.Errorf("CycloneDX read back: spec %s, components %v; want 1.6 and 6", bom.SpecVersion, bom.Components)
	}
}
