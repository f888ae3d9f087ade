// Package recipe prepares a dependency recipe (masked manifests, lockfile, toolchain and config files, stub targets) from a cargo workspace and cooks it: writes the skeleton, builds the dependencies and invalidates every local unit.
package recipe
