package sbom

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Format names, as --sbom takes them.
const (
	SPDX      = "spdx"
	CycloneDX = "cyclonedx"
	None      = "none"
)

// Media types of the documents, used as the OCI artifact type.
const (
	SPDXMediaType      = "application/spdx+json"
	CycloneDXMediaType = "application/vnd.cyclonedx+json"
)

// Input is everything a document says. Every slice may come in any order:
// documents sort what they list.
type Input struct {
	Name    string    // the image's name, e.g. the binary's
	Created time.Time // SOURCE_DATE_EPOCH
	Binary  File      // the application binary in the image
	// Crates are the binary's crates in cargo-auditable's order: Deps are
	// indices into this slice; one crate has Root set, the binary's package.
	Crates   []Crate
	Packages []OSPackage
	Distro   *Distro // nil when the libraries' system is unknown
	Unowned  []File  // files in the image that no package owns
	Notes    []string
}

// Crate is a Rust package compiled into the binary.
type Crate struct {
	Name, Version string
	Source        string // "crates.io", "git", "local", "registry", "other"
	License       string // Cargo.toml's license expression, "" if none
	Root          bool
	Deps          []int
}

// OSPackage is an operating-system package one of the image's files comes
// from (a Debian package: its status paragraph's fields).
type OSPackage struct {
	Name, Version, Arch   string
	Source, SourceVersion string // "" when the same as the package's
}

// Distro is the system the OS packages come from (os-release).
type Distro struct {
	ID, VersionID string
}

// File is a file in the image with its content's sha256 (hex).
type File struct {
	Path, SHA256 string
}

// Render returns the document in format (SPDX or CycloneDX) and its media
// type.
func Render(format string, in Input) ([]byte, string, error) {
	if err := in.check(); err != nil {
		return nil, "", err
	}
	switch format {
	case SPDX, "":
		b, err := spdxDocument(in)
		return b, SPDXMediaType, err
	case CycloneDX:
		b, err := cycloneDXDocument(in)
		return b, CycloneDXMediaType, err
	}
	return nil, "", fmt.Errorf("unknown SBOM format %q: use spdx, cyclonedx or none", format)
}

func (in Input) check() error {
	for _, c := range in.Crates {
		for _, d := range c.Deps {
			if d < 0 || d >= len(in.Crates) {
				return fmt.Errorf("crate %s %s depends on index %d, out of the list's %d", c.Name, c.Version, d, len(in.Crates))
			}
		}
	}
	if in.Binary.Path == "" {
		return fmt.Errorf("the SBOM needs the binary's path in the image")
	}
	return nil
}

// root returns the crate that is the binary's package, or nil.
func (in Input) root() *Crate {
	for i := range in.Crates {
		if in.Crates[i].Root {
			return &in.Crates[i]
		}
	}
	return nil
}

// sortedPackages returns the OS packages by name, version and arch.
func (in Input) sortedPackages() []OSPackage {
	out := slices.Clone(in.Packages)
	slices.SortFunc(out, func(a, b OSPackage) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Arch, b.Arch))
	})
	return out
}

func (in Input) sortedUnowned() []File {
	out := slices.Clone(in.Unowned)
	slices.SortFunc(out, func(a, b File) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

// CratePURL is a crate's package URL.
func CratePURL(c Crate) string {
	return "pkg:cargo/" + url.PathEscape(c.Name) + "@" + url.PathEscape(c.Version)
}

// DebPURL is a Debian package's package URL, qualifiers sorted as the purl
// specification asks.
func DebPURL(p OSPackage, d *Distro) string {
	ns := "debian"
	if d != nil && d.ID != "" {
		ns = d.ID
	}
	q := []string{}
	if p.Arch != "" {
		q = append(q, "arch="+url.QueryEscape(p.Arch))
	}
	if d != nil && d.ID != "" && d.VersionID != "" {
		q = append(q, "distro="+url.QueryEscape(d.ID+"-"+d.VersionID))
	}
	if p.Source != "" && p.Source != p.Name {
		up := p.Source
		if p.SourceVersion != "" && p.SourceVersion != p.Version {
			up += "@" + p.SourceVersion
		}
		q = append(q, "upstream="+url.QueryEscape(up))
	}
	s := "pkg:deb/" + ns + "/" + url.PathEscape(p.Name) + "@" + url.PathEscape(p.Version)
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return s
}
