package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// seedID is the generated Dockerfile's target cache id for the churn
// fixture, up to the platform.
const seedID = "id=berth-target-app-app-release-"

// TestDockerfileTargetCache: after a new third-party dependency the
// dependency layer runs again, and the target cache (a BuildKit cache mount
// cook seeds the target directory from) makes it compile only the crate the
// dependency brings. The control is the same change with an empty target
// cache, which compiles every third-party crate. A damaged target cache (a
// truncated rlib, symbolic links out of it) costs the damaged crate, never
// the build.
func TestDockerfileTargetCache(t *testing.T) {
	requireBuilderImages(t)
	testenv.RequireDebianCrates(t, "fnv", "either", "quote", "proc-macro2", "scopeguard", "bitflags", "lazy_static", "log", "cfg-if")
	dir, tag, nonce := churnSetup(t, churnFixture.src)
	df := generate(t, churnFixture, buildKit, dir)
	if !strings.Contains(df, seedID+"$TARGETPLATFORM,target=/berth/target-cache,sharing=locked") || !strings.Contains(df, "--target-cache /berth/target-cache") {
		t.Fatalf("the Dockerfile has no target cache:\n%s", df)
	}
	// Cache mounts of this test's own: other tests and runs share the engine.
	seeded, empty := ownSeed(t, dir, "seeded-"+nonce), ownSeed(t, dir, "empty-"+nonce)
	withSeed := func(id string) { writeDockerfile(t, dir, strings.Replace(df, seedID, seedID+id+"-", 1)) }

	withSeed(seeded)
	out := buildKit.build(t, dir, tag)
	if all := thirdParty(compiledCrates(out)); len(all) < 9 || !strings.Contains(out, "no seed yet") {
		t.Fatalf("the cold build compiled %v; want every third-party crate, from no seed; output:\n%s", all, tail(out, 60))
	}
	s := churnSteps[3]
	replaceIn(t, dir, s.file, s.old, fmt.Sprintf(s.new, nonce))
	hostCargo(t, dir, "update", "-w", "--offline")

	withSeed(empty)
	out = buildKit.build(t, dir, tag)
	if got := thirdParty(compiledCrates(out)); len(got) < 10 {
		t.Errorf("with an empty target cache the %s compiled only %v: this control shows nothing", s.name, got)
	}

	withSeed(seeded)
	start := time.Now()
	out = buildKit.build(t, dir, tag)
	got := thirdParty(compiledCrates(out))
	t.Logf("after the %s, seeded: rebuilt in %v, third-party crates compiled: %v; %s", s.name, time.Since(start).Round(time.Millisecond), got, cookLines(out))
	if !slices.Equal(got, []string{s.brings}) || !strings.Contains(out, "cook: seeded ") {
		t.Errorf("after the %s with the target cache: compiled %v, want %s alone; output:\n%s", s.name, got, s.brings, tail(out, 60))
	}
	checkOutput(t, churnFixture, tag, churnFixture.want)

	damageSeed(t, dir, seeded)
	// The same dependencies, a new cache key: the first cook runs again.
	writeDockerfile(t, dir, strings.Replace(strings.Replace(df, seedID, seedID+seeded+"-", 1), "cargo-berth cook --recipe-path /berth/deps.json", "true && cargo-berth cook --recipe-path /berth/deps.json", 1))
	out = buildKit.build(t, dir, tag)
	got = thirdParty(compiledCrates(out))
	t.Logf("from the damaged target cache: third-party crates compiled: %v; %s", got, cookLines(out))
	for _, w := range []string{"left out 1 files", "skipped 2 entries", "cook: saved "} {
		if !strings.Contains(out, w) {
			t.Errorf("the build from a damaged target cache does not say %q; output:\n%s", w, tail(out, 60))
		}
	}
	if !slices.Equal(got, []string{"fnv"}) {
		t.Errorf("from a target cache with a truncated fnv: compiled %v, want fnv alone", got)
	}
	checkOutput(t, churnFixture, tag, churnFixture.want)
}

// cookLines are cook's lines about the target cache in a build's output.
func cookLines(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, "cook: "); i >= 0 {
			lines = append(lines, l[i:])
		}
	}
	return strings.Join(lines, "; ")
}

func writeDockerfile(t *testing.T, dir, df string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ownSeed names a target cache of the test's own and empties it when the
// test ends (the engine's cache mounts are shared: none other is touched).
func ownSeed(t *testing.T, dir, id string) string {
	t.Helper()
	t.Cleanup(func() { inSeed(t, dir, id, "rm -rf /c/seed /c/.tmp-*") })
	return id
}

// damageSeed truncates fnv's rlib in the target cache and adds symbolic
// links out of it, to a file and to the root directory.
func damageSeed(t *testing.T, dir, id string) {
	t.Helper()
	out := inSeed(t, dir, id, "set -e; find /c/seed -maxdepth 3 -type d; f=$(find /c/seed -name libfnv-*.rlib); d=$(dirname $f); truncate -s 100 $f; "+
		"ln -s /etc/passwd $d/libpasswd-0123456789abcdef.rlib; ln -s / $d/../build/root-0123456789abcdef; echo damaged $f")
	if !strings.Contains(out, "damaged /c/seed/") {
		t.Fatalf("damaging the target cache:\n%s", out)
	}
}

// inSeed runs script with the target cache id mounted at /c; not with
// --no-cache, which gives a RUN fresh cache mounts: the script and a
// build argument of the time make the step new.
func inSeed(t *testing.T, dir, id, script string) string {
	t.Helper()
	ctx := filepath.Join(t.TempDir(), "seed-"+filepath.Base(dir))
	df := "ARG RUST_IMAGE\nFROM ${RUST_IMAGE}\nARG TARGETPLATFORM\nARG NOW\nRUN --mount=type=cache," + seedID + id + "-$TARGETPLATFORM,target=/c,sharing=locked echo $NOW && sh -c '" + script + "'\n"
	if err := os.MkdirAll(ctx, 0o755); err != nil {
		t.Fatal(err)
	}
	writeDockerfile(t, ctx, df)
	return docker(t, append([]string{"buildx", "build", "--progress=plain"}, buildArgs(ctx, []string{fmt.Sprint("NOW=", time.Now().UnixNano())})...)...)
}
