package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/berth-dev/berth/bench/internal/report"
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
	ratio := st.total[0].Seconds() / st.total[1].Seconds()
	return report.Line("rebuild after a member-only manifest change (a new feature of a member)",
		fmt.Sprintf("%s (%d third-party crates compiled)", report.Secs(st.total[0]), st.deps[0]),
		fmt.Sprintf("%s (%d third-party crates compiled)", report.Secs(st.total[1]), st.deps[1]),
		fmt.Sprintf("%.2fx", ratio), "0 third-party crates", st.deps[0] == 0), nil
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
