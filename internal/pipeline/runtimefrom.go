package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/rootfs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// runtimeRoot pulls ref for platform (or, with no platform, the one binary
// runs on) and returns a directory holding its runtime files: its shared
// libraries, ld.so.conf and CA bundle, a root to resolve the closure in
// instead of the build machine's. Roots are kept under cacheDir by image
// digest, so a rebuild does not extract again and every machine gets the
// same bytes.
func runtimeRoot(ctx context.Context, opts Options, platform v1.Platform, binary string) (string, error) {
	if platform.Architecture == "" {
		b, err := elf.Check(binary)
		if err != nil {
			return "", err
		}
		if platform, err = Platform(b.Machine, b.Class); err != nil {
			return "", fmt.Errorf("%s: %w", binary, err)
		}
	}
	pull := opts.Pull
	if pull == nil {
		pull = func(ctx context.Context, ref string, p v1.Platform) (v1.Image, error) { return image.Pull(ctx, ref, p) }
	}
	img, err := pull(ctx, opts.RuntimeFrom, platform)
	if err != nil {
		return "", fmt.Errorf("pulling the runtime image %s for %s: %w", opts.RuntimeFrom, platform, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	cache := opts.RuntimeCache
	if cache == "" {
		cache = filepath.Join(os.TempDir(), "berth-runtime")
	}
	dir := filepath.Join(cache, d.Hex)
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return dir, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cache, ".extract-")
	if err != nil {
		return "", err
	}
	if err := extractRuntime(img, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("reading the runtime files of %s: %w", opts.RuntimeFrom, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if fi, statErr := os.Stat(dir); statErr == nil && fi.IsDir() {
			return dir, nil // another build extracted it first
		}
		return "", errors.Join(fmt.Errorf("keeping the runtime files of %s", opts.RuntimeFrom), err)
	}
	return dir, nil
}

// addSystemFrom adds the system files (CA bundle, passwd, /tmp, ...) taken
// from root to set; nothing when root is "" (they came with the libraries).
func addSystemFrom(set *fileset.Set, root string, res *Contents) error {
	if root == "" {
		return nil
	}
	sys, w, err := rootfs.Runtime(rootfs.Options{Root: root, System: true})
	if err != nil {
		return err
	}
	res.Warnings = append(res.Warnings, w...)
	for _, f := range sys.Files() {
		if err := set.Add(f); err != nil {
			return err
		}
	}
	return nil
}
