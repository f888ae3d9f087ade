package testenv

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// RequireZig returns the path of the real zig on PATH (scripts/ci-setup.sh
// installs 0.11.0 from its npm package), skipping the test without one, or
// failing it with BERTH_E2E=1.
func RequireZig(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("zig")
	why := "zig is not on PATH (scripts/ci-setup.sh installs zig 0.11.0 into /usr/local/lib/zig)"
	if err == nil {
		var v string
		if v, err = runQuiet(30*time.Second, path, "version"); err != nil {
			why = path + " version: " + err.Error()
		} else if !strings.HasPrefix(firstLine(v), "0.") {
			why = path + " version printed " + v
			err = exec.ErrNotFound
		}
	}
	Require(t, "zig", err == nil, why)
	return path
}
