package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/berth-dev/berth/bench/internal/report"
	"github.com/berth-dev/berth/internal/testenv"
)

// churnRebuild times the rebuild after a member-only manifest change of
// the churn workspace: a new feature of the model member, which changes
// no third-party crate. berth's dependency layer stays cached (goal: 0
// third-party crates compiled); the seed's single cook layer of the whole
// recipe runs again and compiles every one.
func (b *bench) churnRebuild(runs int) (report.Row, error) {
	st, err := b.rebuilds(runs, func(p *project, i int) error {
		feature := fmt.Sprintf("bench_%d_%s = []", i, b.nonce)
		if i > 0 {
			return p.rewrite("crates/model/Cargo.toml", `(?m)^\[features\]$`, "[features]\n"+feature)
		}
		return p.rewrite("crates/model/Cargo.toml", `(?m)^\[dependencies\]$`, "[features]\n"+feature+"\n\n[dependencies]")
	})
	if err != nil {
		return report.Row{}, err
	}
	return churnRow("rebuild after a member-only manifest change (a new feature of a member)", st, "0 third-party crates", st.deps[0] == 0), nil
}

// churnRow is a churn measurement's line: both rebuilds' times with the
// third-party crates each compiled.
func churnRow(name string, st rebuildStats, goal string, met bool) report.Row {
	ratio := st.total[0].Seconds() / st.total[1].Seconds()
	return report.Line(name,
		fmt.Sprintf("%s (%d third-party crates compiled)", report.Secs(st.total[0]), st.deps[0]),
		fmt.Sprintf("%s (%d third-party crates compiled)", report.Secs(st.total[1]), st.deps[1]),
		fmt.Sprintf("%.2fx", ratio), goal, met)
}

// newDeps are leaf crates of Debian's packaged registry, one per run of
// newDepRebuild: each run brings a crate no earlier run brought.
var newDeps = []string{"scopeguard", "adler", "unicode-width", "foreign-types-shared"}

// newDepRebuild times the rebuild after a new third-party dependency of a
// member: berth's dependency layer runs again, seeded from its target cache
// (goal: only the new crate compiles); the seed's single cook layer
// compiles every third-party crate.
func (b *bench) newDepRebuild(runs int) (report.Row, error) {
	if runs > len(newDeps) {
		return report.Row{}, fmt.Errorf("-runs %d: the new-dependency rebuild has %d crates to add", runs, len(newDeps))
	}
	st, err := b.rebuilds(runs, func(p *project, i int) error {
		if err := p.rewrite("crates/model/Cargo.toml", `(?m)^\[dependencies\]$`, "[dependencies]\n"+newDeps[i]+" = \"*\""); err != nil {
			return err
		}
		return command(p.dir, b.env, nil, "cargo", "update", "-w", "--offline")
	})
	if err != nil {
		return report.Row{}, err
	}
	return churnRow("rebuild after a new third-party dependency (a leaf crate)", st, "1 third-party crate", st.deps[0] == 1), nil
}

// seedID is the target cache's id in berth's churn Dockerfile, up to the
// platform; ownSeed gives the bench a target cache of its own, which
// clearSeed empties.
const seedID = "id=berth-target-app-app-release-"

func (b *bench) ownSeed(p *project) error {
	return p.rewrite("Dockerfile", regexp.QuoteMeta(seedID), seedID+"bench-"+b.nonce+"-")
}

func (b *bench) clearSeed() {
	dir := filepath.Join(b.tmp, "clear-seed")
	df := "ARG RUST_IMAGE\nFROM ${RUST_IMAGE}\nARG TARGETPLATFORM\nRUN --mount=type=cache," + seedID + "bench-" + b.nonce +
		"-$TARGETPLATFORM,target=/c,sharing=locked rm -rf /c/seed /c/.tmp-*\n"
	if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644) == nil {
		_ = command(dir, nil, nil, "docker", "buildx", "build", "--network", "none", "--build-arg", "RUST_IMAGE="+testenv.RustImage, dir)
	}
}

var depsCook = regexp.MustCompile(`(?m)^COPY --from=planner /berth/deps.json /berth/deps.json\n|^RUN (?:[^\n]*\\\n)*[^\n]*cook --recipe-path /berth/deps.json[^\n]*\n`)

// singleLayer rewrites berth's Dockerfile at path into the seed's shape:
// prepare of the whole workspace, one cook step.
func singleLayer(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	df := strings.Replace(string(data), `,"--deps-recipe-path","/berth/deps.json","-p","app","--bin","app"`, "", 1)
	df = depsCook.ReplaceAllString(df, "")
	if strings.Contains(df, "deps.json") {
		return fmt.Errorf("%s: the dependency layer is still there after the rewrite", path)
	}
	return os.WriteFile(path, []byte(df), 0o644)
}
