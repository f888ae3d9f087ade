package provenance

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The statement's fixed identifiers.
const (
	// PredicateType is SLSA Provenance v1's.
	PredicateType = "https://slsa.dev/provenance/v1"
	// MediaType is an in-toto statement's, the OCI artifact type of the
	// attachment.
	MediaType = "application/vnd.in-toto+json"
	// BuildType names the meaning of the parameters below (docs/provenance.md).
	BuildType = "https://github.com/berth-dev/berth/blob/main/docs/provenance.md#build-type-v1"
	// BuilderID is cargo-berth run on the machine that ran it: the trust
	// boundary is that machine, as for any local build.
	BuilderID = "https://github.com/berth-dev/berth/cargo-berth"
)

// Subject is an artifact the statement is about.
type Subject struct {
	Name   string
	Digest string // "sha256:<hex>"
}

// Build is what the statement records about one build.
type Build struct {
	// External are the parameters a user chose (buildDefinition.externalParameters).
	External External
	// Internal are the ones berth chose or found (internalParameters).
	Internal Internal
	// Dependencies are the resolved inputs (resolvedDependencies).
	Dependencies Dependencies
}

// External are the command's flags and settings, each with its source.
type External struct {
	Command string `json:"command"`
	// Settings are the resolved settings of config.Build by key: value and
	// where it came from (flag, environment, Cargo.toml, default).
	Settings map[string]Setting `json:"settings"`
	// Cargo are cargo's own flags; ManifestPath is relative to the
	// source's root.
	Cargo Cargo `json:"cargo"`
	// Binary is a prebuilt binary's path (--binary), Sysroot, RuntimeFrom
	// and LibraryPaths the flags of those names.
	Binary       string   `json:"binary,omitempty"`
	Sysroot      string   `json:"sysroot,omitempty"`
	RuntimeFrom  string   `json:"runtimeFrom,omitempty"`
	LibraryPaths []string `json:"libraryPaths,omitempty"`
}

// Setting is one setting's value (as JSON) and its source.
type Setting struct {
	Value  json.RawMessage `json:"value"`
	Source string          `json:"source"`
}

// Cargo are the cargo flags of the build.
type Cargo struct {
	ManifestPath      string   `json:"manifestPath,omitempty"`
	Package           string   `json:"package,omitempty"`
	Features          []string `json:"features,omitempty"`
	NoDefaultFeatures bool     `json:"noDefaultFeatures,omitempty"`
	AllFeatures       bool     `json:"allFeatures,omitempty"`
	Targets           []string `json:"targets,omitempty"`
	Locked            bool     `json:"locked,omitempty"`
	Frozen            bool     `json:"frozen,omitempty"`
	Offline           bool     `json:"offline,omitempty"`
}

// Internal are the parameters berth set or found.
type Internal struct {
	BerthVersion string `json:"berthVersion"`
	// SourceDateEpoch is SOURCE_DATE_EPOCH in seconds, as a string ("0"
	// when unset): every time in the image.
	SourceDateEpoch string   `json:"sourceDateEpoch"`
	Profile         string   `json:"profile"`
	Features        []string `json:"features,omitempty"`
	Targets         []Target `json:"targets"`
	// RemappedPaths are the neutral names rustc wrote for the build
	// machine's directories, by role (workspace, cargo-home, target,
	// path-dependency <name>-<version>): the names alone, which are the
	// same on every machine; none when paths were not remapped.
	RemappedPaths map[string]string `json:"remappedPaths,omitempty"`
}

// Target is one platform built and the triple cargo built it for ("" for
// the host's).
type Target struct {
	Platform string `json:"platform"`
	Triple   string `json:"triple,omitempty"`
}

// Dependencies are the inputs resolved to a version or digest.
type Dependencies struct {
	Source   *Source
	Lockfile *File
	Rustc    *Rustc
	Images   []Image
	Packages []Package
}

// Source is the git commit built.
type Source struct {
	URL    string // the remote's URL; "" when the repository has none
	Commit string
	// Clean is false when the work tree had uncommitted changes: the
	// commit is then not what was built.
	Clean bool
}

// File is a file by path and sha256.
type File struct {
	Path   string
	SHA256 string
}

// Rustc is the compiler, as `rustc -vV` describes it.
type Rustc struct {
	Verbose string // the whole `rustc -vV` output
}

// Field is the value of one "key: value" line of rustc -vV ("release",
// "commit-hash", "host").
func (r Rustc) Field(key string) string {
	for _, line := range strings.Split(r.Verbose, "\n") {
		if v, ok := strings.CutPrefix(line, key+": "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Image is a base or --runtime-from image, by digest.
type Image struct {
	Role     string // "base" or "runtime-from"
	Ref      string
	Digest   string
	Platform string
}

// Package is a Debian package the runtime files of one platform came from.
type Package struct {
	Platform, Distro, Name, Version, Arch string
}

// String is the package's purl.
func (p Package) String() string {
	distro := p.Distro
	if distro == "" {
		distro = "debian"
	}
	return fmt.Sprintf("pkg:deb/%s/%s@%s?arch=%s", distro, p.Name, p.Version, p.Arch)
}
