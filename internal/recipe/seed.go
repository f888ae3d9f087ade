package recipe

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/targetseed"
)

// seedTarget copies the seed of opts.SeedDir into targetDir before cargo
// runs, saying what it did; a missing or unusable seed is a cold build.
func seedTarget(ctx context.Context, opts CookOptions, targetDir string) {
	if opts.SeedDir == "" {
		return
	}
	log := logTo(opts)
	res, err := targetseed.Restore(ctx, opts.SeedDir, targetDir)
	if err != nil {
		fmt.Fprintf(log, "cook: target cache %s: %v; every dependency compiles\n", opts.SeedDir, err)
		return
	}
	fmt.Fprintf(log, "cook: seeded %s with %d files (%.1f MB) from the target cache %s\n",
		targetDir, len(res.Files), float64(res.Bytes)/1e6, opts.SeedDir)
	if n := len(res.Corrupt); n > 0 {
		fmt.Fprintf(log, "cook: warning: left out %d files of the target cache that do not match its manifest (they compile again): %s\n", n, few(res.Corrupt))
	}
	if n := len(res.Skipped); n > 0 {
		fmt.Fprintf(log, "cook: warning: skipped %d entries of the target cache that are neither files nor directories (never followed): %s\n", n, few(res.Skipped))
	}
}

// build runs cargo; with units, it records the units the build used (fresh
// or compiled) from cargo's messages, with diagnostics still rendered on
// stderr, so that the seed keeps those alone.
func build(ctx context.Context, run cargo.Runner, dir string, args []string, units bool) (targetseed.Units, error) {
	if !units {
		return nil, run.Run(ctx, dir, args...)
	}
	used := targetseed.Units{}
	args = append(slices.Clip(args), "--message-format=json-render-diagnostics")
	err := run.Messages(ctx, dir, args, func(m cargo.Message) error {
		for _, f := range m.Filenames {
			used.Add(f)
		}
		if m.OutDir != "" {
			used.Add(m.OutDir)
		}
		return nil
	})
	return used, err
}

// saveSeed makes the units of targetDir the last build used, the local
// ones gone, the seed of opts.SeedDir. A failure is a warning: the build
// itself succeeded.
func saveSeed(ctx context.Context, opts CookOptions, targetDir string, units targetseed.Units) {
	if opts.SeedDir == "" {
		return
	}
	log := logTo(opts)
	saved, err := targetseed.Save(ctx, targetDir, opts.SeedDir, units)
	if err != nil {
		fmt.Fprintf(log, "cook: warning: the target cache was not updated (the next cook starts from the old seed or cold): %v\n", err)
		return
	}
	fmt.Fprintf(log, "cook: saved %d files (%.1f MB) to the target cache %s\n", saved.Files, float64(saved.Bytes)/1e6, opts.SeedDir)
}

func logTo(opts CookOptions) io.Writer {
	switch {
	case opts.Log != nil:
		return opts.Log
	case opts.Runner != nil && opts.Runner.Stderr != nil:
		return opts.Runner.Stderr
	}
	return io.Discard
}

// few names up to three paths.
func few(paths []string) string {
	if len(paths) > 3 {
		return strings.Join(paths[:3], ", ") + ", ..."
	}
	return strings.Join(paths, ", ")
}
