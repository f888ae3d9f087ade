// Package cargo is the only place in berth that runs cargo and rustc: the
// build with its JSON messages, `cargo metadata` (the fallback that fills
// workspace.Project, and the resolve graph of the crate list), the host
// triple and installed targets, and cargo-zigbuild's checks.
package cargo
