package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/sigstore/cosign/v3/pkg/cosign"

	"github.com/berth-dev/berth/bench/internal/report"
)

// signCost times no-op builds pushed to an in-process registry with and
// without `--sign --key`, interleaved, three times as many runs as the
// others: signing adds the key's loading (scrypt), one bundle per image
// and per attachment, and their pushes.
func (b *bench) signCost(runs int) (report.Row, error) {
	host, stop, err := benchRegistry()
	if err != nil {
		return report.Row{}, err
	}
	defer stop()
	key, err := benchKey(b.Tmp)
	if err != nil {
		return report.Row{}, err
	}
	tag := host + "/bench/hyper:latest"
	b.Env = append(b.Env, "COSIGN_PASSWORD=bench")
	var with, without []time.Duration
	for i := 0; i < 3*runs; i++ {
		d, err := b.timed(b.berth, "build", "--push", "-t", tag, "--sign", "--key", key)
		if err != nil {
			return report.Row{}, err
		}
		with = append(with, d)
		if d, err = b.timed(b.berth, "build", "--push", "-t", tag); err != nil {
			return report.Row{}, err
		}
		without = append(without, d)
	}
	w, wo := report.Median(with), report.Median(without)
	extra := w - wo
	return report.Line("--sign --key (no-op build, --push)", report.Millis(w), report.Millis(wo)+" (--push)",
		fmt.Sprintf("%+d ms", extra.Milliseconds()), "≤ +50 ms", extra <= 50*time.Millisecond), nil
}

// benchRegistry serves go-containerregistry's registry on 127.0.0.1.
func benchRegistry() (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listening for the bench registry: %w", err)
	}
	srv := &http.Server{Handler: registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return l.Addr().String(), func() { _ = srv.Close() }, nil
}

// benchKey writes a cosign key pair (password "bench") as `cosign
// generate-key-pair` does and returns the private key's path.
func benchKey(dir string) (string, error) {
	keys, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte("bench"), nil })
	if err != nil {
		return "", fmt.Errorf("making a cosign key pair: %w", err)
	}
	path := filepath.Join(dir, "cosign.key")
	return path, os.WriteFile(path, keys.PrivateBytes, 0o600)
}
