package pipeline

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/elf"
)

// Compile runs cargo for one target and returns the executable it built.
// bo says what to build (its Target and Static are taken from t); staticFrom
// names where a static build was asked for ("" when it was not), for the
// error when rustflags undo it.
func Compile(ctx context.Context, r *cargo.Runner, t Target, bo cargo.BuildOptions, staticFrom string) (string, error) {
	bo.Target, bo.Static = t.Triple, t.Static
	run := *r
	if len(t.Env) > 0 {
		env := run.Env
		if env == nil {
			env = os.Environ()
		}
		run.Env = append(slices.Clone(env), t.Env...)
	}
	exe, err := run.Build(ctx, bo)
	if err != nil {
		return "", err
	}
	if staticFrom == "" {
		return exe, nil
	}
	// The rustflags in effect can still undo it (-crt-static, or a musl
	// target made dynamic): never ship a dynamic binary as a static one.
	if b, err := elf.Check(exe); err == nil && !b.Static {
		return "", fmt.Errorf("a static build was asked for (static from %s), but cargo built %s dynamically linked "+
			"(interpreter %s): look for target-feature=-crt-static in RUSTFLAGS and in the rustflags of .cargo/config.toml",
			staticFrom, exe, b.Interpreter)
	}
	return exe, nil
}
