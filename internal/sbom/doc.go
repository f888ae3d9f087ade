// Package sbom writes the software bill of materials of an image (SPDX 2.3
// or CycloneDX 1.6 JSON) from plain inputs: the binary, its crates, the OS
// packages and the files no package owns. It is pure and deterministic.
package sbom
