package pipeline

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/internal/cargoconfig"
	"github.com/berth-dev/berth/internal/zigcc"
)

// ZigEnv is the environment that makes cargo link triple with zig through
// berth's wrapper (glibc: the version a gnu triple links against, or ""):
// cargo's linker for the target, and CC/CXX for the cc crate's C code,
// unless the user set those. Cook without --platform uses it directly;
// build, stage and cook --platform get it from target planning, the same.
func ZigEnv(ctx context.Context, env []string, triple, glibc string) ([]string, string, error) {
	z, err := zigcc.Find(ctx, env)
	if err != nil {
		return nil, "", err
	}
	return zigEnvWith(z, env, triple, glibc)
}

func zigEnvWith(z zigcc.Zig, env []string, triple, glibc string) ([]string, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("finding berth's own executable for the zig wrapper: %w", err)
	}
	if !strings.Contains(triple, "-linux-gnu") {
		glibc = "" // the version names a glibc: musl targets ignore it
	}
	l, err := zigcc.Prepare(z, triple, glibc, self, "")
	if err != nil {
		return nil, "", err
	}
	if env == nil {
		env = os.Environ()
	}
	var out []string
	for _, kv := range l.Env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CARGO_TARGET_") || !hasEnv(env, k) {
			out = append(out, kv)
		}
	}
	note := fmt.Sprintf("linking with zig %s (from %s) through berth's wrapper %s", z.Version, z.From, l.CC)
	return out, note, nil
}

// zigLinker makes zig t's linker, for the platform named key ("" for
// --target alone).
func zigLinker(req TargetRequest, key string, t *Target) error {
	if req.zig == nil {
		return fmt.Errorf("zig linking was asked for, but no zig was found")
	}
	env, note, err := zigEnvWith(*req.zig, req.Env, t.Triple, req.Glibc)
	if err != nil {
		return err
	}
	t.Env = env
	t.Note = note
	if key != "" {
		t.Note = key + ": " + note
	}
	return nil
}

func hasEnv(env []string, key string) bool {
	_, ok := cargoconfig.LookupEnv(env, key)
	return ok
}
