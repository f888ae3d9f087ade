package sbom

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// Namespace is the prefix of every document's namespace; the rest is the
// sha256 of the document's content, so the same image gives the same one.
const Namespace = "https://github.com/berth-dev/berth/spdx/"

const noAssertion = "NOASSERTION"

// spdxDocument builds the SPDX 2.3 document with the SPDX project's own
// types (tools-golang), so that its fields are the specification's.
func spdxDocument(in Input) ([]byte, error) {
	doc := &spdx.Document{
		SPDXVersion: spdx.Version, DataLicense: spdx.DataLicense, SPDXIdentifier: "DOCUMENT", DocumentName: in.Name,
		CreationInfo: &spdx.CreationInfo{
			Created:        in.Created.UTC().Format(time.RFC3339),
			Creators:       []common.Creator{{CreatorType: "Tool", Creator: "cargo-berth"}},
			CreatorComment: strings.Join(in.Notes, "\n"),
		},
	}
	main := spdxMain(in, doc)
	crateIDs := make([]common.ElementID, len(in.Crates))
	for i, c := range in.Crates {
		crateIDs[i] = spdxID("Package-cargo", c.Name, c.Version)
		if c.Root {
			crateIDs[i] = main
			continue
		}
		doc.Packages = append(doc.Packages, &spdx.Package{
			PackageName: c.Name, PackageSPDXIdentifier: crateIDs[i], PackageVersion: c.Version, PrimaryPackagePurpose: "LIBRARY",
			PackageExternalReferences: purlRef(CratePURL(c)),
			PackageLicenseDeclared:    orNoAssertion(licenseExpression(c.License)),
		})
	}
	for i, c := range in.Crates {
		for _, d := range c.Deps {
			doc.Relationships = append(doc.Relationships, relationship(crateIDs[i], common.TypeRelationshipDependsOn, crateIDs[d]))
		}
	}
	for _, p := range in.sortedPackages() {
		id := spdxID("Package-deb", p.Name, p.Version+"-"+p.Arch)
		info := ""
		if p.Source != "" {
			info = fmt.Sprintf("built from the %s source package", p.Source)
		}
		doc.Packages = append(doc.Packages, &spdx.Package{
			PackageName: p.Name, PackageSPDXIdentifier: id, PackageVersion: p.Version, PrimaryPackagePurpose: "LIBRARY",
			PackageSourceInfo: info, PackageExternalReferences: purlRef(DebPURL(p, in.Distro)),
			PackageLicenseDeclared: noAssertion,
		})
		doc.Relationships = append(doc.Relationships, relationship(main, common.TypeRelationshipDependsOn, id))
	}
	for _, f := range in.sortedUnowned() {
		id := spdxID("File", f.Path)
		doc.Files = append(doc.Files, spdxFileOf(f, id))
		doc.Relationships = append(doc.Relationships, relationship(main, common.TypeRelationshipDependsOn, id))
	}
	return finishSPDX(doc)
}

// spdxMain adds the binary's package (the root crate, or the binary alone)
// and its file, and returns the package's id.
func spdxMain(in Input, doc *spdx.Document) common.ElementID {
	p := &spdx.Package{PackageName: in.Name, PrimaryPackagePurpose: "APPLICATION", PackageLicenseDeclared: noAssertion}
	if r := in.root(); r != nil {
		p.PackageName, p.PackageVersion = r.Name, r.Version
		p.PackageLicenseDeclared = orNoAssertion(licenseExpression(r.License))
		p.PackageExternalReferences = purlRef(CratePURL(*r))
	}
	p.PackageSPDXIdentifier = spdxID("Package-application", p.PackageName, p.PackageVersion)
	doc.Packages = append(doc.Packages, p)
	bin := spdxID("File", in.Binary.Path)
	doc.Files = append(doc.Files, spdxFileOf(in.Binary, bin))
	doc.Relationships = append(doc.Relationships,
		relationship("DOCUMENT", common.TypeRelationshipDescribe, p.PackageSPDXIdentifier),
		relationship(p.PackageSPDXIdentifier, common.TypeRelationshipContains, bin))
	return p.PackageSPDXIdentifier
}

func purlRef(purl string) []*spdx.PackageExternalReference {
	return []*spdx.PackageExternalReference{{Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: purl}}
}

func relationship(a common.ElementID, kind string, b common.ElementID) *spdx.Relationship {
	return &spdx.Relationship{RefA: common.MakeDocElementID("", string(a)), Relationship: kind, RefB: common.MakeDocElementID("", string(b))}
}

func spdxFileOf(f File, id common.ElementID) *spdx.File {
	return &spdx.File{FileName: f.Path, FileSPDXIdentifier: id, Checksums: []common.Checksum{{Algorithm: common.SHA256, Value: f.SHA256}},
		LicenseConcluded: noAssertion, FileCopyrightText: noAssertion}
}

// finishSPDX fills the defaults, defines each LicenseRef- the packages name
// (as SPDX 2.3 requires of a document that uses one), sorts and derives the
// namespace from the content.
func finishSPDX(doc *spdx.Document) ([]byte, error) {
	refs := map[string]bool{}
	for _, p := range doc.Packages {
		p.PackageDownloadLocation, p.PackageLicenseConcluded, p.PackageCopyrightText = noAssertion, noAssertion, noAssertion
		for _, r := range licenseRefs(p.PackageLicenseDeclared) {
			if !refs[r] {
				refs[r] = true
				name := strings.TrimPrefix(r, "LicenseRef-")
				doc.OtherLicenses = append(doc.OtherLicenses, &spdx.OtherLicense{LicenseIdentifier: r, LicenseName: name,
					ExtractedText: fmt.Sprintf("A license named %q in a Cargo.toml license field; it is not on the SPDX license list, and its text is not known to berth.", name)})
			}
		}
	}
	slices.SortFunc(doc.OtherLicenses, func(a, b *spdx.OtherLicense) int { return cmp.Compare(a.LicenseIdentifier, b.LicenseIdentifier) })
	slices.SortFunc(doc.Packages, func(a, b *spdx.Package) int { return cmp.Compare(a.PackageSPDXIdentifier, b.PackageSPDXIdentifier) })
	slices.SortFunc(doc.Files, func(a, b *spdx.File) int { return cmp.Compare(a.FileSPDXIdentifier, b.FileSPDXIdentifier) })
	key := func(r *spdx.Relationship) string {
		return string(r.RefA.ElementRefID) + " " + r.Relationship + " " + string(r.RefB.ElementRefID)
	}
	slices.SortFunc(doc.Relationships, func(a, b *spdx.Relationship) int { return cmp.Compare(key(a), key(b)) })
	doc.Relationships = slices.CompactFunc(doc.Relationships, func(a, b *spdx.Relationship) bool { return key(a) == key(b) })
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encoding the SPDX document: %w", err)
	}
	sum := sha256.Sum256(body)
	doc.DocumentNamespace = Namespace + doc.DocumentName + "-" + hex.EncodeToString(sum[:])
	var out bytes.Buffer
	if err := spdxjson.Write(doc, &out, spdxjson.Indent("  ")); err != nil {
		return nil, fmt.Errorf("encoding the SPDX document: %w", err)
	}
	return out.Bytes(), nil
}

var notIDChar = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxID makes an SPDX element id (letters, digits, '.' and '-') from
// parts; the SPDXRef- prefix is the library's to write.
func spdxID(kind string, parts ...string) common.ElementID {
	id := kind
	for _, p := range parts {
		if p != "" {
			id += "-" + notIDChar.ReplaceAllString(p, "-")
		}
	}
	return common.ElementID(id)
}

func orNoAssertion(s string) string {
	if s == "" {
		return noAssertion
	}
	return s
}
