package testenv

import (
	"errors"
	"os/exec"
	"testing"
	"time"
)

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
