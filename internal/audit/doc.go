// Package audit turns cargo's resolve graph into the crates compiled into one
// binary and encodes them in cargo-auditable's .dep-v0 format.
package audit
