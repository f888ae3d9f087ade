package testenv

import (
	"errors"
	"os/exec"
	"testing"
	"time"
)

var syftProbe probe

// Syft requires the syft scanner (an independent reader of images: OS
// package records, .dep-v0 crate lists) and returns its path.
func Syft(t testing.TB) string {
	t.Helper()
	path, ok, why := syftProbe.run(func() (string, error) {
		p, err := exec.LookPath("syft")
		if err != nil {
			return "", errors.New("syft is not on PATH")
		}
		if _, err := runQuiet(30*time.Second, p, "version"); err != nil {
			return p, err
		}
		return p, nil
	})
	Require(t, "syft", ok, why)
	return path
}

var cosignProbe probe

// Cosign requires the cosign CLI (signing and attesting pushed images) and
// returns its path.
func Cosign(t testing.TB) string {
	t.Helper()
	path, ok, why := cosignProbe.run(func() (string, error) {
		p, err := exec.LookPath("cosign")
		if err != nil {
			return "", errors.New("cosign is not on PATH")
		}
		if _, err := runQuiet(30*time.Second, p, "version"); err != nil {
			return p, err
		}
		return p, nil
	})
	Require(t, "cosign", ok, why)
	return path
}
