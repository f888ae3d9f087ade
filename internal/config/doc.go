// Package config resolves berth's settings from defaults, Cargo.toml metadata,
// BERTH_* environment variables and flags, in that order, remembering where
// each value came from.
package config
