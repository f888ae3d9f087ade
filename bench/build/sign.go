package main

import (
	"fmt"
	"time"

	"github.com/berth-dev/berth/bench/internal/report"
	"github.com/berth-dev/berth/internal/testenv"
)

// signCost times no-op builds pushed to an in-process registry with and
// without `--sign --key`, interleaved, three times as many runs as the
// others: signing adds the key's loading (scrypt), one bundle per image
// and per attachment, and their pushes.
func (b *bench) signCost(runs int) (report.Row, error) {
	host, stop, err := testenv.ServeReferrersRegistry()
	if err != nil {
		return report.Row{}, err
	}
	defer stop()
	key, _, err := testenv.WriteCosignKey(b.Tmp, "bench")
	if err != nil {
		return report.Row{}, err
	}
	tag := host + "/bench/hyper:latest"
	b.Env = append(b.Env, "COSIGN_PASSWORD=bench")
	w, wo, err := b.interleaved(3*runs, []string{"build", "--push", "-t", tag, "--sign", "--key", key}, []string{"build", "--push", "-t", tag})
	if err != nil {
		return report.Row{}, err
	}
	extra := w - wo
	return report.Line("--sign --key (no-op build, --push)", report.Millis(w), report.Millis(wo)+" (--push)",
		fmt.Sprintf("%+d ms", extra.Milliseconds()), "≤ +50 ms", extra <= 50*time.Millisecond), nil
}
