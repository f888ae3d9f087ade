package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/berth-dev/berth/internal/cargo"
)

// CookFlags completes cook's cargo flags the way build and stage complete
// theirs, so that the dependencies cook builds are the ones stage's build
// uses: the glibc version of a zig --target and zig as its linker, and for
// --platform (platform not "") the target triple, static linking and
// linker. It returns the flags and the environment cargo needs besides the
// process's (the linker berth chose). dir is where cargo runs; notes go
// to log.
func CookFlags(ctx context.Context, f CargoFlags, platform, dir string, log io.Writer) (CargoFlags, []string, error) {
	var err error
	if f.Targets, f.Glibc, err = splitGlibc(f.Targets, f.Zig, f.Static); err != nil {
		return f, nil, err
	}
	if f.Zig {
		if err := checkZig(ctx, "--zig"); err != nil {
			return f, nil, err
		}
	}
	var env []string
	if platform != "" {
		if f, env, err = cookPlatform(ctx, f, platform, dir, log); err != nil {
			return f, nil, err
		}
	} else if env, err = cookZigTargets(ctx, f, log); err != nil {
		return f, nil, err
	}
	if f.Static && len(f.Targets) != 1 {
		return f, nil, inputf("--static needs exactly one --target: the triple the final build links statically")
	}
	return f, env, nil
}

// cookPlatform plans cook's --platform as stage plans its own: target,
// static linking, linker.
func cookPlatform(ctx context.Context, f CargoFlags, platform, dir string, log io.Writer) (CargoFlags, []string, error) {
	if len(f.Targets) > 0 {
		return f, nil, inputf("--platform chooses the target; leave out --target")
	}
	ps, err := ParsePlatforms([]string{platform})
	if err != nil {
		return f, nil, inputf("--platform: %v", err)
	}
	if len(ps) != 1 {
		return f, nil, inputf("--platform %q names %d platforms; cook makes one: give one, such as linux/arm64", platform, len(ps))
	}
	ts, err := PlanTargets(ctx, &cargo.Runner{Stderr: log}, TargetRequest{Platforms: ps, Static: f.Static, Dir: dir, Zig: f.Zig, Glibc: f.Glibc})
	if err != nil {
		return f, nil, err
	}
	t := ts[0]
	if t.Note != "" {
		fmt.Fprintln(log, t.Note)
	}
	if t.Triple != "" {
		f.Targets = []string{t.Triple}
	}
	f.Static = t.Static
	return f, t.Env, nil
}

// cookZigTargets makes zig the linker of cook's --target values: the same
// wrapper paths stage's build gets, so that the dependencies stay fresh.
func cookZigTargets(ctx context.Context, f CargoFlags, log io.Writer) ([]string, error) {
	if !f.Zig {
		return nil, nil
	}
	var env []string
	for _, triple := range f.Targets {
		add, note, err := ZigEnv(ctx, nil, triple, f.Glibc)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "%s: %s\n", triple, note)
		env = append(env, add...)
	}
	return env, nil
}

// CookEnv is the environment cook's cargo runs with: the process's and
// extra (from CookFlags).
func CookEnv(extra []string) []string {
	if len(extra) == 0 {
		return nil
	}
	return append(os.Environ(), extra...)
}
