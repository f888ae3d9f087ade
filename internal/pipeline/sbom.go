package pipeline

import (
	"fmt"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/pkgdb"
	"github.com/berth-dev/berth/internal/sbom"
	"github.com/berth-dev/berth/internal/stamp"
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
		digest := func() (string, error) { return fileSHA256(f.Source, c.stamps) }
		if c.binaryDigest != nil && f.Source == c.digestedBinary {
			digest = c.binaryDigest
		}
		sum, err := digest()
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

// fileSHA256 is the digest of the file at p, remembered in stamps under the
// file's identity: a no-op rebuild of a 500 MB binary does not read it again.
// A remembered value that is not a digest is a miss: it would reach the SBOM.
func fileSHA256(p string, stamps stamp.Store) (string, error) {
	key := ""
	if abs, err := filepath.Abs(p); err == nil {
		key = stamp.FileKey(abs, time.Now(), "sha256")
	}
	if sum, ok := stamps.Get(key); ok && stamp.IsSHA256(sum) {
		return sum, nil
	}
	sum, err := readSHA256(p)
	if err == nil {
		stamps.Put(key, sum)
	}
	return sum, err
}

// digestAsync starts fileSHA256 of p and returns what waits for it.
func digestAsync(p string, stamps stamp.Store) func() (string, error) {
	type result struct {
		sum string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		sum, err := fileSHA256(p, stamps)
		ch <- result{sum, err}
	}()
	return sync.OnceValues(func() (string, error) {
		r := <-ch
		return r.sum, r.err
	})
}

// readSHA256 hashes the file at p, as the package database does the files
// no package owns.
func readSHA256(p string) (string, error) {
	f, err := pkgdb.Hash("", p)
	if err != nil {
		return "", fmt.Errorf("the SBOM needs the digest of %s: %w", p, err)
	}
	return f.SHA256, nil
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
