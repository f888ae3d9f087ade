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
	in := sbom.Input{Name: path.Base(c.Entrypoint), Created: epoch, Notes: c.SBOMNotes}
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
	in.Packages, in.Distro, in.Unowned = c.SBOMPackages, c.SBOMDistro, c.SBOMUnowned
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
