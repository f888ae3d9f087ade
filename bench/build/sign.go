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
	return b.signed(3*runs, "no-op build", nil)
}

// signEditCost does the same for rebuilds after a one-line edit of the
// fixture (the edit is made before each build, untimed): there the key is
// decrypted beside a compile and link of several seconds.
func (b *bench) signEditCost(runs int) (report.Row, error) {
	return b.signed(runs, "edit build", b.Edit)
}

func (b *bench) signed(n int, what string, prep func(string) error) (report.Row, error) {
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
	w, wo, err := b.interleaved(n, prep, []string{"build", "--push", "-t", tag, "--sign", "--key", key}, []string{"build", "--push", "-t", tag})
	if err != nil {
		return report.Row{}, err
	}
	extra := w - wo
	return report.Line("--sign --key ("+what+", --push)", report.Millis(w), report.Millis(wo)+" (--push)",
		fmt.Sprintf("%+d ms", extra.Milliseconds()), "≤ +50 ms", extra <= 50*time.Millisecond), nil
}
