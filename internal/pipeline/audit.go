package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/stamp"
)

// Crates returns the crates compiled into a binary of package pkg, from the
// resolve graph cargo metadata gave for the build's target and features.
func Crates(r *cargo.Resolve, pkg string) ([]audit.Crate, error) {
	root, err := r.MemberID(pkg)
	if err != nil {
		return nil, err
	}
	g := audit.Graph{Root: root, Packages: make([]audit.Package, 0, len(r.Packages))}
	nodes := make(map[string]cargo.ResolveNode, len(r.Graph.Nodes))
	for _, n := range r.Graph.Nodes {
		nodes[n.ID] = n
	}
	for _, p := range r.Packages {
		ap := audit.Package{ID: p.ID, Name: p.Name, Version: p.Version, Source: deref(p.Source), License: deref(p.License)}
		for _, d := range nodes[p.ID].Deps {
			normal := false
			for _, k := range d.DepKinds {
				normal = normal || k.Kind == nil
			}
			ap.Deps = append(ap.Deps, audit.Dep{ID: d.Pkg, Normal: normal})
		}
		g.Packages = append(g.Packages, ap)
	}
	crates, err := g.Crates()
	if err != nil {
		return nil, fmt.Errorf("listing the crates of %s: %w", pkg, err)
	}
	return crates, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// AuditedBinary returns the binary to put in the image: when binary has
// no .dep-v0 section and crates is not empty, a copy of it with one, written
// to dir (cargo's own file is never changed). A binary that has a section
// (built with cargo auditable) is kept as it is, and its own list is
// returned instead of crates, with the licenses crates knows. A file that is not ELF is returned as it is,
// for the closure's check to explain. The copy is made again only when
// binary or the section changed since stamps saw it made: an untouched
// copy keeps its identity, so the layer made of it is found by its stamp
// and a no-op rebuild reads neither file.
func AuditedBinary(binary, dir string, crates []audit.Crate, stamps stamp.Store) (string, []audit.Crate, error) {
	data, ok, err := elf.ReadSection(binary, audit.SectionName)
	if err != nil {
		// Not an ELF file: packaging it fails next, with the reason.
		return binary, nil, nil
	}
	if ok {
		own, err := audit.ReadSection(data)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", binary, err)
		}
		return binary, audit.WithLicenses(own, crates), nil
	}
	if len(crates) == 0 {
		return binary, nil, nil
	}
	section, err := audit.Section(crates)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	dst := filepath.Join(dir, filepath.Base(binary))
	sum := sha256.Sum256(section)
	key := stamp.FileKey(binary, time.Now(), "dep-v0 copy", dst, hex.EncodeToString(sum[:]))
	if made, ok := stamps.Get(key); ok {
		if fi, err := os.Lstat(dst); err == nil && string(stamp.Exact(fi)) == made {
			return dst, crates, nil
		}
	}
	if err := elf.WithSection(binary, dst, audit.SectionName, section); err != nil {
		return "", nil, err
	}
	if fi, err := os.Lstat(dst); err == nil {
		stamps.Put(key, string(stamp.Exact(fi)))
	}
	return dst, crates, nil
}
