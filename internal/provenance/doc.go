// Package provenance writes and reads the SLSA v1 provenance of an image:
// an in-toto Statement v1 built from the in-toto attestation types.
package provenance
