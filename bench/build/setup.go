package main

import (
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/bench/internal/report"
	"github.com/berth-dev/berth/internal/testenv"
)

// bench is a private copy of the fixture with an offline cargo set-up and a
// freshly built cargo-berth.
type bench struct {
	tmp, project, binary string
	env                  []string
}

func newBench() (*bench, error) {
	root, err := report.RepoRoot()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "berth-bench-")
	if err != nil {
		return nil, err
	}
	b := &bench{tmp: tmp, project: filepath.Join(tmp, "hyper-service"), binary: filepath.Join(tmp, "cargo-berth")}
	if err := testenv.CopyTree(filepath.Join(root, "e2e", "testdata", "fixtures", "hyper-service"), b.project); err != nil {
		return nil, err
	}
	home := filepath.Join(tmp, "cargo-home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	if err := testenv.WriteOfflineCargoConfig(home); err != nil {
		return nil, err
	}
	b.env = append(os.Environ(), "CARGO_HOME="+home, "BERTH_CACHE_DIR="+filepath.Join(tmp, "cache"))
	if h, err := os.UserHomeDir(); err == nil && os.Getenv("RUSTUP_HOME") == "" {
		b.env = append(b.env, "RUSTUP_HOME="+filepath.Join(h, ".rustup"))
	}
	if _, err := command(root, nil, "go", "build", "-o", b.binary, "./cmd/cargo-berth"); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *bench) cargo(args ...string) (string, error) {
	return command(b.project, b.env, "cargo", args...)
}

func (b *bench) berth(args ...string) (string, error) {
	return command(b.project, b.env, b.binary, args...)
}

func (b *bench) layout(name string) string { return filepath.Join(b.tmp, "layouts", name) }
