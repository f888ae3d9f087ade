// Package pipeline is the `cargo berth build` pipeline: cargo builds the binary,
// its ELF runtime closure becomes a root filesystem, and that becomes an image.
package pipeline
