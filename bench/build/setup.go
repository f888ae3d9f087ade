package main

import (
	"path/filepath"

	"github.com/berth-dev/berth/bench/internal/fixture"
)

// bench is a private copy of the fixture with an offline cargo set-up and a
// freshly built cargo-berth.
type bench struct {
	*fixture.Hyper
}

func newBench() (*bench, error) {
	h, err := fixture.NewHyper("berth-bench-")
	if err != nil {
		return nil, err
	}
	return &bench{h}, nil
}

func (b *bench) cargo(args ...string) (string, error) {
	return command(b.Project, b.Env, "cargo", args...)
}

func (b *bench) berth(args ...string) (string, error) {
	return command(b.Project, b.Env, b.Binary, args...)
}

func (b *bench) layout(name string) string { return filepath.Join(b.Tmp, "layouts", name) }
