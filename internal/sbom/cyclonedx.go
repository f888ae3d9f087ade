package sbom

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

type cdxDoc struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	SerialNumber string          `json:"serialNumber"`
	Version      int             `json:"version"`
	Metadata     cdxMetadata     `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies"`
}

type cdxMetadata struct {
	Timestamp  string        `json:"timestamp"`
	Tools      cdxTools      `json:"tools"`
	Component  cdxComponent  `json:"component"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	BOMRef   string       `json:"bom-ref,omitempty"`
	Type     string       `json:"type"`
	Name     string       `json:"name"`
	Version  string       `json:"version,omitempty"`
	Hashes   []cdxHash    `json:"hashes,omitempty"`
	Licenses []cdxLicense `json:"licenses,omitempty"`
	PURL     string       `json:"purl,omitempty"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxLicense struct {
	Expression string `json:"expression"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

func cycloneDXDocument(in Input) ([]byte, error) {
	doc := cdxDoc{BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1}
	doc.Metadata = cdxMetadata{
		Timestamp: in.Created.UTC().Format(time.RFC3339),
		Tools:     cdxTools{Components: []cdxComponent{{Type: "application", Name: "cargo-berth"}}},
		Component: cdxComponent{BOMRef: "application", Type: "application", Name: in.Name},
	}
	for _, n := range in.Notes {
		doc.Metadata.Properties = append(doc.Metadata.Properties, cdxProperty{"berth:note", n})
	}
	deps := map[string][]string{}
	mainRef := doc.Metadata.Component.BOMRef
	refs := make([]string, len(in.Crates))
	for i, c := range in.Crates {
		comp := cdxComponent{Type: "library", Name: c.Name, Version: c.Version, PURL: CratePURL(c), Licenses: cdxLicenses(c.License)}
		comp.BOMRef = comp.PURL
		refs[i] = comp.BOMRef
		if c.Root {
			comp.Type = "application"
			doc.Metadata.Component = comp
			mainRef = comp.BOMRef
			continue
		}
		doc.Components = append(doc.Components, comp)
	}
	for i, c := range in.Crates {
		for _, d := range c.Deps {
			deps[refs[i]] = append(deps[refs[i]], refs[d])
		}
	}
	bin := cdxComponent{BOMRef: "file:" + in.Binary.Path, Type: "file", Name: in.Binary.Path, Hashes: []cdxHash{{"SHA-256", in.Binary.SHA256}}}
	doc.Components = append(doc.Components, bin)
	deps[mainRef] = append(deps[mainRef], bin.BOMRef)
	for _, p := range in.sortedPackages() {
		purl := DebPURL(p, in.Distro)
		doc.Components = append(doc.Components, cdxComponent{BOMRef: purl, Type: "library", Name: p.Name, Version: p.Version, PURL: purl})
		deps[mainRef] = append(deps[mainRef], purl)
	}
	for _, f := range in.sortedUnowned() {
		ref := "file:" + f.Path
		doc.Components = append(doc.Components, cdxComponent{BOMRef: ref, Type: "file", Name: f.Path, Hashes: []cdxHash{{"SHA-256", f.SHA256}}})
		deps[mainRef] = append(deps[mainRef], ref)
	}
	return finishCycloneDX(&doc, deps)
}

func cdxLicenses(license string) []cdxLicense {
	if e := licenseExpression(license); e != "" {
		return []cdxLicense{{Expression: e}}
	}
	return nil
}

// finishCycloneDX sorts and derives the serial number from the content (a
// version 5-style UUID made of the sha256, so the same image gives the same
// one).
func finishCycloneDX(doc *cdxDoc, deps map[string][]string) ([]byte, error) {
	slices.SortFunc(doc.Components, func(a, b cdxComponent) int { return cmp.Compare(a.BOMRef, b.BOMRef) })
	refs := []string{doc.Metadata.Component.BOMRef}
	for _, c := range doc.Components {
		refs = append(refs, c.BOMRef)
	}
	for _, r := range refs {
		on := slices.Compact(slices.Sorted(slices.Values(deps[r])))
		doc.Dependencies = append(doc.Dependencies, cdxDependency{Ref: r, DependsOn: on})
	}
	slices.SortFunc(doc.Dependencies, func(a, b cdxDependency) int { return cmp.Compare(a.Ref, b.Ref) })
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	s := sha256.Sum256(body)
	s[6] = s[6]&0x0f | 0x50
	s[8] = s[8]&0x3f | 0x80
	doc.SerialNumber = fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
	return marshal(doc)
}
