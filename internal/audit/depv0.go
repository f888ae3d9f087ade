package audit

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
)

// SectionName is the ELF section cargo-auditable writes and scanners (syft,
// trivy, grype, cargo-audit) read.
const SectionName = ".dep-v0"

// level is fixed so the same crates always give the same section bytes.
const level = zlib.BestCompression

// versionInfo and depPackage follow auditable-serde's VersionInfo and
// Package: kind is left out for runtime (its default), dependencies when
// empty, root when false.
type versionInfo struct {
	Packages []depPackage `json:"packages"`
}

type depPackage struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	Source       string `json:"source"`
	Kind         string `json:"kind,omitempty"`
	Dependencies []int  `json:"dependencies,omitempty"`
	Root         bool   `json:"root,omitempty"`
}

// Section is the .dep-v0 section's content for crates: their JSON,
// zlib-compressed at a fixed level.
func Section(crates []Crate) ([]byte, error) {
	info := versionInfo{Packages: make([]depPackage, len(crates))}
	for i, c := range crates {
		for _, d := range c.Deps {
			if d < 0 || d >= len(crates) {
				return nil, fmt.Errorf("crate %s %s depends on index %d, out of the list's %d", c.Name, c.Version, d, len(crates))
			}
		}
		info.Packages[i] = depPackage{Name: c.Name, Version: c.Version, Source: c.Source, Dependencies: c.Deps, Root: c.Root}
	}
	js, err := json.Marshal(info)
	if err != nil {
		return nil, fmt.Errorf("encoding the crate list: %w", err)
	}
	var buf bytes.Buffer
	w, err := zlib.NewWriterLevel(&buf, level)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(js); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadSection decodes a .dep-v0 section, for checks and for binaries that
// carry one already. License is not in the format and stays empty.
func ReadSection(data []byte) ([]Crate, error) {
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading %s: not zlib data: %w", SectionName, err)
	}
	js, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", SectionName, err)
	}
	var info versionInfo
	if err := json.Unmarshal(js, &info); err != nil {
		return nil, fmt.Errorf("reading %s: %w", SectionName, err)
	}
	out := make([]Crate, len(info.Packages))
	for i, p := range info.Packages {
		out[i] = Crate{Name: p.Name, Version: p.Version, Source: p.Source, Root: p.Root, Deps: p.Dependencies}
	}
	return out, nil
}
