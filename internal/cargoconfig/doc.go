// Package cargoconfig reads what cargo's configuration files and
// environment tell a build (config files and their order, linker,
// rustflags tables, target-dir, rust-toolchain files), without running
// cargo.
package cargoconfig
