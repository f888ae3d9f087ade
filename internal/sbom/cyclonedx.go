package sbom

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// cycloneDXDocument builds the CycloneDX 1.6 document with CycloneDX's own
// types (cyclonedx-go), the version Trivy and syft read.
func cycloneDXDocument(in Input) ([]byte, error) {
	main := cdx.Component{BOMRef: "application", Type: cdx.ComponentTypeApplication, Name: in.Name}
	doc := &cdx.BOM{BOMFormat: cdx.BOMFormat, SpecVersion: cdx.SpecVersion1_6, Version: 1}
	doc.Metadata = &cdx.Metadata{
		Timestamp: in.Created.UTC().Format(time.RFC3339),
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "cargo-berth"}}},
	}
	var props []cdx.Property
	for _, n := range in.Notes {
		props = append(props, cdx.Property{Name: "berth:note", Value: n})
	}
	if len(props) > 0 {
		doc.Metadata.Properties = &props
	}
	var comps []cdx.Component
	deps := map[string][]string{}
	refs := make([]string, len(in.Crates))
	for i, c := range in.Crates {
		comp := cdx.Component{Type: cdx.ComponentTypeLibrary, Name: c.Name, Version: c.Version, PackageURL: CratePURL(c), Licenses: cdxLicenses(c.License)}
		comp.BOMRef = comp.PackageURL
		refs[i] = comp.BOMRef
		if c.Root {
			comp.Type = cdx.ComponentTypeApplication
			main = comp
			continue
		}
		comps = append(comps, comp)
	}
	for i, c := range in.Crates {
		for _, d := range c.Deps {
			deps[refs[i]] = append(deps[refs[i]], refs[d])
		}
	}
	files := append([]File{in.Binary}, in.sortedUnowned()...)
	for _, f := range files {
		ref := "file:" + f.Path
		comps = append(comps, cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeFile, Name: f.Path, Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: f.SHA256}}})
		deps[main.BOMRef] = append(deps[main.BOMRef], ref)
	}
	for _, p := range in.sortedPackages() {
		purl := DebPURL(p, in.Distro)
		comps = append(comps, cdx.Component{BOMRef: purl, Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version, PackageURL: purl})
		deps[main.BOMRef] = append(deps[main.BOMRef], purl)
	}
	doc.Metadata.Component = &main
	return finishCycloneDX(doc, comps, deps)
}

func cdxLicenses(license string) *cdx.Licenses {
	if e := licenseExpression(license); e != "" {
		return &cdx.Licenses{{Expression: e}}
	}
	return nil
}

// finishCycloneDX sorts and derives the serial number from the content (a
// version 5-style UUID made of the sha256, so the same image gives the same
// one).
func finishCycloneDX(doc *cdx.BOM, comps []cdx.Component, deps map[string][]string) ([]byte, error) {
	slices.SortFunc(comps, func(a, b cdx.Component) int { return cmp.Compare(a.BOMRef, b.BOMRef) })
	doc.Components = &comps
	refs := []string{doc.Metadata.Component.BOMRef}
	for _, c := range comps {
		refs = append(refs, c.BOMRef)
	}
	var list []cdx.Dependency
	for _, r := range refs {
		d := cdx.Dependency{Ref: r}
		if on := slices.Compact(slices.Sorted(slices.Values(deps[r]))); len(on) > 0 {
			d.Dependencies = &on
		}
		list = append(list, d)
	}
	slices.SortFunc(list, func(a, b cdx.Dependency) int { return cmp.Compare(a.Ref, b.Ref) })
	doc.Dependencies = &list
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encoding the CycloneDX document: %w", err)
	}
	s := sha256.Sum256(body)
	s[6] = s[6]&0x0f | 0x50
	s[8] = s[8]&0x3f | 0x80
	doc.SerialNumber = fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
	var out bytes.Buffer
	if err := cdx.NewBOMEncoder(&out, cdx.BOMFileFormatJSON).SetPretty(true).Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding the CycloneDX document: %w", err)
	}
	return out.Bytes(), nil
}
