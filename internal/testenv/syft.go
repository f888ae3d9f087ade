package testenv

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// SyftVersion is the scanner version scripts/ci-setup.sh installs.
const SyftVersion = "1.57.1"

// SyftBinaryVar names an environment variable that may point at syft;
// otherwise "syft" is looked up on PATH.
const SyftBinaryVar = "BERTH_SYFT_BIN"

var syftProbe probe

// RequireSyft requires Anchore's syft scanner, version SyftVersion, and
// returns its path.
func RequireSyft(t testing.TB) string {
	t.Helper()
	path, ok, why := syftProbe.run(func() (string, error) {
		p := os.Getenv(SyftBinaryVar)
		if p == "" {
			var err error
			if p, err = exec.LookPath("syft"); err != nil {
				return "", errors.New(`no "syft" on PATH (or set $` + SyftBinaryVar + ")")
			}
		}
		// syft built with go install reports no version: its module's is
		// in the binary's build information.
		info, err := buildinfo.ReadFile(p)
		if err != nil {
			return p, fmt.Errorf("reading %s: %v", p, err)
		}
		if info.Main.Path != "github.com/anchore/syft" || info.Main.Version != "v"+SyftVersion {
			return p, fmt.Errorf("%s is %s %s, not syft v%s", p, info.Main.Path, info.Main.Version, SyftVersion)
		}
		return p, nil
	})
	Require(t, "syft "+SyftVersion, ok, why)
	return path
}

// SyftEnv is the environment to run syft in: offline (no update check) and
// speaking plain HTTP to the test registries on 127.0.0.1.
func SyftEnv() []string {
	return append(os.Environ(),
		"SYFT_CHECK_FOR_APP_UPDATE=false",
		"SYFT_REGISTRY_INSECURE_USE_HTTP=true",
	)
}
