package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/internal/testenv"
)

// churnFixture is a workspace of five members with third-party crates
// (internal/recipe's TestDependencyLayer uses it too); app is the binary.
var churnFixture = dfFixture{
	name: "churn", src: "e2e/testdata/fixtures/churn", genArgs: []string{"--bin", "app"}, lock: true, lockDir: ".",
	want: "HELLO FROM THE CHURN WORKSPACE (5 words, either 5)",
}

// churnMembers are the local packages, and berth-dependencies the dependency
// recipe's stand-in.
var churnMembers = []string{"app", "churn-core", "model", "macros", "tool", "berth-dependencies"}

// churnSteps are applied one after the other; brings is the third-party
// crate a step adds ("" for none).
var churnSteps = []struct{ name, file, old, new, brings string }{
	{"version bump", "Cargo.toml", `version = "0.1.0"`, `version = "0.1.%s"`, ""},
	{"new path dependency", "crates/core/Cargo.toml", "[dependencies]\n", "[dependencies]\nmacros = { path = \"../macros\" } # %s\n", ""},
	{"description edit", "crates/app/Cargo.toml", `description = "the churn fixture's service"`, `description = "edited %s"`, ""},
	{"new third-party dependency", "crates/model/Cargo.toml", `cfg-if = "1"`, "cfg-if = \"1\" # %s\nscopeguard = \"1\"", "scopeguard"},
}

// TestDockerfileChurn: the generated Dockerfile (BuildKit, offline) cooks
// in two layers; after a member's version bump, a new path dependency
// between members and a description edit, the rebuild compiles 0
// third-party crates and reuses the dependency layer; a new third-party
// crate reruns that layer, seeded from the target cache, and is the only
// third-party crate compiled.
func TestDockerfileChurn(t *testing.T) {
	requireBuilderImages(t)
	testenv.RequireDebianCrates(t, "fnv", "either", "quote", "proc-macro2", "scopeguard", "bitflags", "lazy_static", "log", "cfg-if")
	dir, tag, nonce := churnSetup(t, churnFixture.src)
	df := generate(t, churnFixture, buildKit, dir)
	for _, w := range []string{`"--deps-recipe-path","/berth/deps.json","-p","app","--bin","app"`, "cook --recipe-path /berth/deps.json"} {
		if !strings.Contains(df, w) {
			t.Fatalf("the Dockerfile lacks %q:\n%s", w, df)
		}
	}
	// A target cache of this test's own: a seed left by another run would
	// make the cold build warm.
	writeDockerfile(t, dir, strings.Replace(df, seedID, seedID+ownSeed(t, dir, "churn-"+nonce)+"-", 1))
	if all := thirdParty(compiledCrates(buildKit.build(t, dir, tag))); len(all) < 9 {
		t.Fatalf("the cold build compiled third-party crates %v, want every one app uses", all)
	}
	checkOutput(t, churnFixture, tag, churnFixture.want)
	for _, s := range churnSteps {
		replaceIn(t, dir, s.file, s.old, fmt.Sprintf(s.new, nonce))
		hostCargo(t, dir, "update", "-w", "--offline")
		start := time.Now()
		out := buildKit.build(t, dir, tag)
		got := thirdParty(compiledCrates(out))
		t.Logf("after the %s: rebuilt in %v, third-party crates compiled: %v", s.name, time.Since(start).Round(time.Millisecond), got)
		switch {
		case s.brings == "" && len(got) > 0:
			t.Errorf("after the %s: third-party crates %v compiled again, want none; output:\n%s", s.name, got, tail(out, 60))
		case s.brings == "" && !buildKit.stepCached(out, "cook --recipe-path /berth/deps.json"):
			t.Errorf("after the %s: the dependency layer ran again", s.name)
		case s.brings != "" && !slices.Equal(got, []string{s.brings}):
			t.Errorf("after the %s: compiled %v, want %s alone (the target cache seeds the rest)", s.name, got, s.brings)
		}
	}
	checkOutput(t, churnFixture, tag, churnFixture.want)
}

// TestDockerfileChurnSingleLayer is the control for TestDockerfileChurn:
// the same Dockerfile with the seed's single cook layer of the whole
// workspace recompiles every third-party crate after a new path dependency
// between members.
func TestDockerfileChurnSingleLayer(t *testing.T) {
	requireBuilderImages(t)
	testenv.RequireDebianCrates(t, "fnv", "either", "quote", "proc-macro2", "bitflags", "lazy_static", "log", "cfg-if")
	dir, tag, nonce := churnSetup(t, churnFixture.src)
	// The nonce goes into the cook step: the recipe drops the step's
	// comment, so without it the changed recipe is an earlier run's, and
	// a warm BuildKit would answer both cooks from its cache.
	df := singleLayer(t, generate(t, churnFixture, buildKit, dir))
	cook := "cargo-berth cook --recipe-path /berth/recipe.json"
	if !strings.Contains(df, cook) {
		t.Fatalf("no workspace cook step in:\n%s", df)
	}
	writeDockerfile(t, dir, strings.Replace(df, cook, "true "+nonce+" && "+cook, 1))
	buildKit.build(t, dir, tag)
	s := churnSteps[1]
	replaceIn(t, dir, s.file, s.old, fmt.Sprintf(s.new, nonce))
	hostCargo(t, dir, "update", "-w", "--offline")
	if got := thirdParty(compiledCrates(buildKit.build(t, dir, tag))); len(got) < 9 {
		t.Errorf("the single-layer Dockerfile compiled only %v after a %s: this control shows nothing", got, s.name)
	}
}

// singleLayer turns a generated Dockerfile into the seed's shape: prepare
// of the whole workspace and one cook.
func singleLayer(t *testing.T, df string) string {
	t.Helper()
	for _, cut := range []string{`,"--deps-recipe-path","/berth/deps.json","-p","app","--bin","app"`, "COPY --from=planner /berth/deps.json /berth/deps.json\n"} {
		if !strings.Contains(df, cut) {
			t.Fatalf("the Dockerfile lacks %q", cut)
		}
		df = strings.Replace(df, cut, "", 1)
	}
	j := strings.Index(df, "cargo-berth cook --recipe-path /berth/deps.json")
	if j < 0 {
		t.Fatalf("no dependency cook step in:\n%s", df)
	}
	i := strings.LastIndex(df[:j], "\nRUN ") + 1
	end := j + strings.Index(df[j:], "\n") + 1
	return df[:i] + df[end:]
}

func churnSetup(t *testing.T, src string) (dir, tag, nonce string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "churn")
	if err := testenv.CopyTree(filepath.Join(testenv.RepoRoot(t), src), dir); err != nil {
		t.Fatal(err)
	}
	hostCargo(t, dir, "generate-lockfile", "--offline")
	nonce = fmt.Sprint(time.Now().UnixNano() % 1e9)
	tag = "berth-e2e-dockerfile/churn:" + nonce
	removeImage(t, tag)
	return dir, tag, nonce
}

// thirdParty are the compiled crates that are not the fixture's members.
func thirdParty(cs []compiled) []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(churnMembers, c.name) {
			out = append(out, c.name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
