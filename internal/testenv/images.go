package testenv

// The local images scripts/builder-image.sh makes (nothing can be pulled
// here), by the names generated Dockerfiles get as build arguments.
const (
	// RustImage is a Debian bookworm Rust builder: the host's toolchain and
	// Debian's packaged crates as an offline crates.io.
	RustImage = "berth-test/rust:bookworm"
	// BerthImage is berth's own image, built from the working tree, for
	// the benchmark (run alone); the e2e tests build it under a tag of their
	// own process.
	BerthImage = "berth-test/berth:dev"
	// DistrolessImage stands in for gcr.io/distroless/cc-debian12:nonroot.
	DistrolessImage = "berth-test/distroless-cc:nonroot"
)
