package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/sbom"
)

// SBOM renders the bill of materials of an image holding c, in format
// (sbom.SPDX or sbom.CycloneDX): the binary, its crates and, once the
// package database fills them in Contents, the OS packages and the files
// no package owns. It returns the document and its media type.
func SBOM(format string, c *Contents, crates []audit.Crate, epoch time.Time) ([]byte, string, error) {
	in := sbom.Input{Name: path.Base(c.Entrypoint), Created: epoch}
	for _, f := range c.App.Files() {
		if f.Path != c.Entrypoint {
			continue
		}
		sum, err := fileSHA256(f.Source)
		if err != nil {
			return nil, "", err
		}
		in.Binary = sbom.File{Path: f.Path, SHA256: sum}
	}
	for _, cr := range crates {
		in.Crates = append(in.Crates, sbom.Crate{Name: cr.Name, Version: cr.Version, Source: cr.Source,
			License: cr.License, Root: cr.Root, Deps: cr.Deps})
	}
	addPackagesTo(&in, c)
	doc, mediaType, err := sbom.Render(format, in)
	if err != nil {
		return nil, "", fmt.Errorf("writing the SBOM: %w", err)
	}
	return doc, mediaType, nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("hashing %s for the SBOM: %w", p, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s for the SBOM: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// addPackagesTo maps the package database's view of the runtime files
// (pkgdb) to the SBOM's.
func addPackagesTo(in *sbom.Input, c *Contents) {
	for _, p := range c.Packages {
		in.Packages = append(in.Packages, sbom.OSPackage{Name: p.Name, Version: p.Version, Arch: p.Arch,
			Source: p.Source, SourceVersion: p.SourceVersion})
	}
	for _, f := range c.Unowned {
		in.Unowned = append(in.Unowned, sbom.File{Path: f.Path, SHA256: f.SHA256})
	}
	if c.Distro != nil {
		in.Distro = &sbom.Distro{ID: c.Distro.ID, VersionID: c.Distro.VersionID}
	}
	if c.PackageDB == "" && len(c.Unowned) > 0 {
		in.Notes = append(in.Notes, "the runtime files come from a system without a dpkg database: they are listed by path and sha256, with no package")
	}
}
