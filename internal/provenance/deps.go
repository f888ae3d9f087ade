package provenance

import (
	"fmt"
	"strings"

	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/types/known/structpb"
)

// Names of the resolved dependencies berth records (besides packages,
// which are named by purl).
const (
	depSource   = "source"
	depLockfile = "Cargo.lock"
	depRustc    = "rustc"
)

// descriptors are d as SLSA's resolvedDependencies, in a fixed order:
// source, lockfile, toolchain, images, packages.
func (d Dependencies) descriptors() ([]*intoto.ResourceDescriptor, error) {
	var out []*intoto.ResourceDescriptor
	add := func(rd *intoto.ResourceDescriptor, annotations map[string]any) error {
		if len(annotations) > 0 {
			s, err := structpb.NewStruct(annotations)
			if err != nil {
				return fmt.Errorf("provenance dependency %s: %w", rd.Name, err)
			}
			rd.Annotations = s
		}
		if err := rd.Validate(); err != nil {
			return fmt.Errorf("provenance dependency %s: %w", rd.Name, err)
		}
		out = append(out, rd)
		return nil
	}
	if s := d.Source; s != nil {
		rd := &intoto.ResourceDescriptor{Name: depSource, Digest: map[string]string{"gitCommit": s.Commit}}
		if s.URL != "" {
			rd.Uri = "git+" + s.URL
		}
		if err := add(rd, map[string]any{"clean": s.Clean}); err != nil {
			return nil, err
		}
	}
	if f := d.Lockfile; f != nil {
		rd := &intoto.ResourceDescriptor{Name: depLockfile, Uri: f.Path, Digest: map[string]string{"sha256": f.SHA256}}
		if err := add(rd, nil); err != nil {
			return nil, err
		}
	}
	if r := d.Rustc; r != nil {
		rd := &intoto.ResourceDescriptor{Name: depRustc, Uri: "pkg:generic/rustc@" + r.Field("release")}
		if c := r.Field("commit-hash"); c != "" && c != "unknown" {
			rd.Digest = map[string]string{"gitCommit": c}
		}
		if err := add(rd, map[string]any{"rustc -vV": r.Verbose}); err != nil {
			return nil, err
		}
	}
	for _, img := range d.Images {
		alg, hex, _ := strings.Cut(img.Digest, ":")
		rd := &intoto.ResourceDescriptor{Name: img.Role, Uri: img.Ref, Digest: map[string]string{alg: hex}}
		if err := add(rd, map[string]any{"platform": img.Platform}); err != nil {
			return nil, err
		}
	}
	for _, p := range d.Packages {
		rd := &intoto.ResourceDescriptor{Name: p.Name, Uri: p.String()}
		if err := add(rd, map[string]any{"platform": p.Platform, "version": p.Version}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dependencies reads back what descriptors wrote.
func dependencies(rds []*intoto.ResourceDescriptor) Dependencies {
	var d Dependencies
	for _, rd := range rds {
		ann := rd.GetAnnotations().AsMap()
		switch {
		case rd.Name == depSource:
			clean, _ := ann["clean"].(bool)
			d.Source = &Source{URL: strings.TrimPrefix(rd.Uri, "git+"), Commit: rd.Digest["gitCommit"], Clean: clean}
		case rd.Name == depLockfile:
			d.Lockfile = &File{Path: rd.Uri, SHA256: rd.Digest["sha256"]}
		case rd.Name == depRustc:
			verbose, _ := ann["rustc -vV"].(string)
			d.Rustc = &Rustc{Verbose: verbose}
		case rd.Name == "base" || rd.Name == "runtime-from":
			for alg, hex := range rd.Digest {
				platform, _ := ann["platform"].(string)
				d.Images = append(d.Images, Image{Role: rd.Name, Ref: rd.Uri, Digest: alg + ":" + hex, Platform: platform})
			}
		case strings.HasPrefix(rd.Uri, "pkg:deb/"):
			d.Packages = append(d.Packages, parsePackage(rd.Uri, ann))
		}
	}
	return d
}

// parsePackage reads a package's purl and annotations.
func parsePackage(purl string, ann map[string]any) Package {
	p := Package{}
	p.Platform, _ = ann["platform"].(string)
	p.Version, _ = ann["version"].(string)
	rest := strings.TrimPrefix(purl, "pkg:deb/")
	p.Distro, rest, _ = strings.Cut(rest, "/")
	rest, p.Arch, _ = strings.Cut(rest, "?arch=")
	p.Name, _, _ = strings.Cut(rest, "@")
	return p
}
