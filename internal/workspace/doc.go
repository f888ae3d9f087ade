// Package workspace reads a cargo workspace from its manifests and
// Cargo.lock, in pure Go, into the one project model berth uses
// (Project, Package, Target).
package workspace
