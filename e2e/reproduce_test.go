package e2e

import (
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestFixturesReproduce: every e2e fixture gives one image digest from two
// checkout paths with two CARGO_HOMEs, each holding its own copy of the
// crates (as crates.io's live under $CARGO_HOME/registry/src): the goal
// "100% of the e2e fixtures rebuild to the same digest from another
// directory and CARGO_HOME". The hyper fixture is TestVerifyHyper's, whose
// rebuild runs from a clone in another directory with another such
// CARGO_HOME. The control that the remap is what makes this hold is
// TestRemapReproduces's.
func TestFixturesReproduce(t *testing.T) {
	offlineCargo(t)
	testenv.RequireDebianCrates(t, "libc", "openssl", "fnv", "quote", "proc-macro2", "cfg-if", "either", "bitflags", "lazy_static")
	t.Setenv("BERTH_CACHE_DIR", t.TempDir())
	homes := []string{
		testenv.VendoredDebianHome(t, filepath.Join(t.TempDir(), "alice", ".cargo")),
		testenv.VendoredDebianHome(t, filepath.Join(t.TempDir(), "runner", "cargo-home")),
	}
	for _, tt := range []struct {
		fixture string
		args    []string
	}{
		{"plain-service", nil},
		{"static-hello", []string{"--static"}},
		{"two-bins", []string{"--bin", "beta"}},
		{"paris-time", nil},
		{"openssl-digest", nil},
		{"churn", []string{"-p", "app"}},
	} {
		t.Run(tt.fixture, func(t *testing.T) {
			var digests []string
			for i, home := range homes {
				t.Setenv("CARGO_HOME", home)
				dir := filepath.Join(t.TempDir(), []string{"src", "w/checkouts/build-2"}[i], tt.fixture)
				if err := testenv.CopyTree(testenv.FixturePath(t, tt.fixture), dir); err != nil {
					t.Fatal(err)
				}
				args := append([]string{"build", "--manifest-path", filepath.Join(dir, "Cargo.toml"), "--oci-layout", filepath.Join(t.TempDir(), "image")}, tt.args...)
				digests = append(digests, digestOf(t, mustBerth(t, args...).stdout))
			}
			if digests[0] != digests[1] {
				t.Errorf("two checkouts and CARGO_HOMEs gave %s and %s", digests[0], digests[1])
			}
		})
	}
}
