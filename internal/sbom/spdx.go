package sbom

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Namespace is the prefix of every document's namespace; the rest is the
// sha256 of the document's content, so the same image gives the same one.
const Namespace = "https://github.com/berth-dev/berth/spdx/"

type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreation       `json:"creationInfo"`
	Packages          []spdxPackage      `json:"packages"`
	Files             []spdxFile         `json:"files,omitempty"`
	Relationships     []spdxRelationship `json:"relationships"`
	// Extracted defines each LicenseRef- the packages name, as SPDX 2.3
	// requires of a document that uses one.
	Extracted []spdxExtracted `json:"hasExtractedLicensingInfos,omitempty"`
}

type spdxExtracted struct {
	LicenseID     string `json:"licenseId"`
	ExtractedText string `json:"extractedText"`
	Name          string `json:"name"`
}

type spdxCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
	Comment  string   `json:"comment,omitempty"`
}

type spdxPackage struct {
	Name             string    `json:"name"`
	SPDXID           string    `json:"SPDXID"`
	VersionInfo      string    `json:"versionInfo,omitempty"`
	DownloadLocation string    `json:"downloadLocation"`
	FilesAnalyzed    bool      `json:"filesAnalyzed"`
	SourceInfo       string    `json:"sourceInfo,omitempty"`
	LicenseConcluded string    `json:"licenseConcluded"`
	LicenseDeclared  string    `json:"licenseDeclared"`
	CopyrightText    string    `json:"copyrightText"`
	ExternalRefs     []spdxRef `json:"externalRefs,omitempty"`
	Purpose          string    `json:"primaryPackagePurpose,omitempty"`
}

type spdxRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type spdxFile struct {
	FileName         string         `json:"fileName"`
	SPDXID           string         `json:"SPDXID"`
	Checksums        []spdxChecksum `json:"checksums"`
	LicenseConcluded string         `json:"licenseConcluded"`
	CopyrightText    string         `json:"copyrightText"`
}

type spdxChecksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

const noAssertion = "NOASSERTION"

func spdxDocument(in Input) ([]byte, error) {
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT", Name: in.Name,
		CreationInfo: spdxCreation{
			Created:  in.Created.UTC().Format(time.RFC3339),
			Creators: []string{"Tool: cargo-berth"},
			Comment:  strings.Join(in.Notes, "\n"),
		},
	}
	main := spdxMain(in, &doc)
	crateIDs := make([]string, len(in.Crates))
	for i, c := range in.Crates {
		crateIDs[i] = spdxID("Package-cargo", c.Name, c.Version)
		if c.Root {
			crateIDs[i] = main
			continue
		}
		doc.Packages = append(doc.Packages, spdxPackage{
			Name: c.Name, SPDXID: crateIDs[i], VersionInfo: c.Version, Purpose: "LIBRARY",
			ExternalRefs:    []spdxRef{{"PACKAGE-MANAGER", "purl", CratePURL(c)}},
			LicenseDeclared: orNoAssertion(licenseExpression(c.License)),
		})
	}
	for i, c := range in.Crates {
		for _, d := range c.Deps {
			doc.Relationships = append(doc.Relationships, spdxRelationship{crateIDs[i], "DEPENDS_ON", crateIDs[d]})
		}
	}
	for _, p := range in.sortedPackages() {
		id := spdxID("Package-deb", p.Name, p.Version+"-"+p.Arch)
		info := ""
		if p.Source != "" {
			info = fmt.Sprintf("built from the %s source package", p.Source)
		}
		doc.Packages = append(doc.Packages, spdxPackage{
			Name: p.Name, SPDXID: id, VersionInfo: p.Version, Purpose: "LIBRARY", SourceInfo: info,
			ExternalRefs:    []spdxRef{{"PACKAGE-MANAGER", "purl", DebPURL(p, in.Distro)}},
			LicenseDeclared: noAssertion,
		})
		doc.Relationships = append(doc.Relationships, spdxRelationship{main, "DEPENDS_ON", id})
	}
	for _, f := range in.sortedUnowned() {
		id := spdxID("File", f.Path)
		doc.Files = append(doc.Files, spdxFileOf(f, id))
		doc.Relationships = append(doc.Relationships, spdxRelationship{main, "DEPENDS_ON", id})
	}
	return finishSPDX(&doc)
}

// spdxMain adds the binary's package (the root crate, or the binary alone)
// and its file, and returns the package's id.
func spdxMain(in Input, doc *spdxDoc) string {
	p := spdxPackage{Name: in.Name, Purpose: "APPLICATION", LicenseDeclared: noAssertion}
	if r := in.root(); r != nil {
		p.Name, p.VersionInfo = r.Name, r.Version
		p.LicenseDeclared = orNoAssertion(licenseExpression(r.License))
		p.ExternalRefs = []spdxRef{{"PACKAGE-MANAGER", "purl", CratePURL(*r)}}
	}
	p.SPDXID = spdxID("Package-application", p.Name, p.VersionInfo)
	doc.Packages = append(doc.Packages, p)
	bin := spdxID("File", in.Binary.Path)
	doc.Files = append(doc.Files, spdxFileOf(in.Binary, bin))
	doc.Relationships = append(doc.Relationships,
		spdxRelationship{"SPDXRef-DOCUMENT", "DESCRIBES", p.SPDXID},
		spdxRelationship{p.SPDXID, "CONTAINS", bin})
	return p.SPDXID
}

func spdxFileOf(f File, id string) spdxFile {
	return spdxFile{FileName: f.Path, SPDXID: id, Checksums: []spdxChecksum{{"SHA256", f.SHA256}},
		LicenseConcluded: noAssertion, CopyrightText: noAssertion}
}

// finishSPDX fills the defaults, sorts and derives the namespace from the
// content.
func finishSPDX(doc *spdxDoc) ([]byte, error) {
	refs := map[string]bool{}
	for i := range doc.Packages {
		p := &doc.Packages[i]
		p.DownloadLocation, p.LicenseConcluded, p.CopyrightText = noAssertion, noAssertion, noAssertion
		for _, r := range licenseRefs(p.LicenseDeclared) {
			if !refs[r] {
				refs[r] = true
				name := strings.TrimPrefix(r, "LicenseRef-")
				doc.Extracted = append(doc.Extracted, spdxExtracted{LicenseID: r, Name: name,
					ExtractedText: fmt.Sprintf("A license named %q in a Cargo.toml license field; it is not on the SPDX license list, and its text is not known to berth.", name)})
			}
		}
	}
	slices.SortFunc(doc.Extracted, func(a, b spdxExtracted) int { return cmp.Compare(a.LicenseID, b.LicenseID) })
	slices.SortFunc(doc.Packages, func(a, b spdxPackage) int { return cmp.Compare(a.SPDXID, b.SPDXID) })
	slices.SortFunc(doc.Files, func(a, b spdxFile) int { return cmp.Compare(a.SPDXID, b.SPDXID) })
	slices.SortFunc(doc.Relationships, func(a, b spdxRelationship) int {
		return cmp.Compare(a.Element+" "+a.Type+" "+a.Related, b.Element+" "+b.Type+" "+b.Related)
	})
	doc.Relationships = slices.Compact(doc.Relationships)
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	doc.DocumentNamespace = Namespace + doc.Name + "-" + hex.EncodeToString(sum[:])
	return marshal(doc)
}

var notIDChar = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxID makes an SPDX element id (letters, digits, '.' and '-') from parts.
func spdxID(kind string, parts ...string) string {
	id := "SPDXRef-" + kind
	for _, p := range parts {
		if p != "" {
			id += "-" + notIDChar.ReplaceAllString(p, "-")
		}
	}
	return id
}

func orNoAssertion(s string) string {
	if s == "" {
		return noAssertion
	}
	return s
}

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
