// Package cargo models a Rust project (workspace, packages, targets) and is the
// only place in berth that runs cargo.
package cargo
