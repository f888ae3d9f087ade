// Package e2e drives cargo-berth end to end, through the same entry point as
// the binary, against real cargo, a real Docker engine and a real registry.
package e2e
