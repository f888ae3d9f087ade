// Package testenv holds test helpers that find or start the external tools berth's tests need (cargo, Debian's crate registry, Docker, a distribution registry) and skip, or fail when BERTH_E2E=1, if one is missing.
package testenv
