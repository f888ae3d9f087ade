package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/cargoconfig"
	"github.com/berth-dev/berth/internal/zigcc"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// platformTarget is how berth builds for one container platform: Rust's gnu
// and musl triples and the name of Debian's cross gcc (also the multiarch
// tuple's gcc), used as the linker when cargo has none configured.
type platformTarget struct {
	gnu, musl, tuple string
}

var platformTargets = map[string]platformTarget{
	"linux/amd64":   {"x86_64-unknown-linux-gnu", "x86_64-unknown-linux-musl", "x86_64-linux-gnu"},
	"linux/arm64":   {"aarch64-unknown-linux-gnu", "aarch64-unknown-linux-musl", "aarch64-linux-gnu"},
	"linux/arm/v7":  {"armv7-unknown-linux-gnueabihf", "armv7-unknown-linux-musleabihf", "arm-linux-gnueabihf"},
	"linux/riscv64": {"riscv64gc-unknown-linux-gnu", "riscv64gc-unknown-linux-musl", "riscv64-linux-gnu"},
}

// gcc is Debian's cross gcc for the platform, and pkg its package.
func (pt platformTarget) gcc() string { return pt.tuple + "-gcc" }
func (pt platformTarget) pkg() string { return "gcc-" + strings.ReplaceAll(pt.tuple, "_", "-") }

// debArch is Debian's architecture name for a platform, for install hints.
var debArch = map[string]string{"linux/amd64": "amd64", "linux/arm64": "arm64", "linux/arm/v7": "armhf", "linux/riscv64": "riscv64"}

// SupportedPlatforms lists the values --platform takes.
func SupportedPlatforms() []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range platformTargets {
			if !yield(k) {
				return
			}
		}
	})
}

// ParsePlatforms reads platform values (each may be a comma-separated list)
// in order, dropping repeats. linux/arm64/v8 is linux/arm64.
func ParsePlatforms(values []string) ([]v1.Platform, error) {
	var out []v1.Platform
	seen := map[string]bool{}
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			s = strings.TrimSuffix(s, "/v8")
			if _, ok := platformTargets[s]; !ok {
				return nil, fmt.Errorf("platform %q is not supported; use one of %s", s, strings.Join(SupportedPlatforms(), ", "))
			}
			if seen[s] {
				continue
			}
			seen[s] = true
			p, err := v1.ParsePlatform(s)
			if err != nil {
				return nil, fmt.Errorf("platform %q: %w", s, err)
			}
			out = append(out, *p)
		}
	}
	return out, nil
}

// Target is one platform of a build and how cargo compiles for it.
type Target struct {
	Platform v1.Platform
	// Triple is passed as --target; "" builds for the host as a plain
	// `cargo build` does (same target directory as the user's own builds).
	Triple string
	Static bool // link the C runtime statically (+crt-static)
	// Root is where the target's libraries are when they are not in the
	// build machine's multiarch directories: Debian's cross packages
	// (/usr/aarch64-linux-gnu); "" means "/".
	Root string
	Env  []string // environment cargo gets besides the caller's (the linker berth chose)
	Note string   // what berth chose on the user's behalf, for stderr
	// Binary is the prebuilt file to package for this target; "" runs cargo.
	Binary string
}

// Toolchain is what target planning asks of the Rust toolchain.
type Toolchain interface {
	HostTriple(ctx context.Context) (string, error)
	InstalledTargets(ctx context.Context) ([]string, error)
}

// TargetRequest is what the user asked for.
type TargetRequest struct {
	Platforms []v1.Platform // empty means the host alone, as today
	Target    string        // --target (only without Platforms)
	Static    bool
	Dir       string   // where cargo runs, for its config files
	Env       []string // nil means os.Environ()
	// LookPath finds the cross gcc; nil means exec.LookPath.
	LookPath func(string) (string, error)
	// Sysroot is the user's --sysroot: the target's libraries are there.
	Sysroot string
	// ImageLibraries: the C library comes from an image (--runtime-from,
	// or a base image), not from this machine, which need not have it.
	ImageLibraries bool
	// FS is the root the target's libraries are looked for in; "" means "/".
	FS string
	// Zig links every explicit target with zig, through berth's wrapper
	// (package zigcc), so no cross gcc is needed (the target's std still
	// is); a build for the host without --target links as cargo would.
	Zig bool
	// Glibc is the glibc version zig links gnu targets against ("" for
	// zig's default), from --target aarch64-unknown-linux-gnu.2.17.
	Glibc string

	zig *zigcc.Zig // found once per plan
}

// PlanTargets checks that every requested platform can be built on this
// machine (std installed, a linker) before anything is built, and says how.
// All problems are reported together, each with how to fix it.
func PlanTargets(ctx context.Context, tc Toolchain, req TargetRequest) ([]Target, error) {
	if req.Zig {
		z, err := zigcc.Find(ctx, req.Env)
		if err != nil {
			return nil, err
		}
		req.zig = &z
	}
	if len(req.Platforms) == 0 {
		t := Target{Triple: req.Target}
		if req.Static {
			var err error
			if t.Triple, t.Static, err = StaticTarget(ctx, tc, req.Target); err != nil {
				return nil, err
			}
		}
		if req.Zig && t.Static {
			host, err := tc.HostTriple(ctx)
			if err != nil {
				return nil, fmt.Errorf("finding the host target: %w", err)
			}
			if t.Triple != host {
				return nil, zigStaticError("target "+t.Triple, t.Triple)
			}
		}
		if req.Zig && t.Triple != "" && !t.Static {
			return []Target{t}, zigLinker(req, "", &t)
		}
		return []Target{t}, nil
	}
	if req.Target != "" {
		return nil, fmt.Errorf("--target %s and platforms cannot be combined: platforms choose the target triples", req.Target)
	}
	host, err := tc.HostTriple(ctx)
	if err != nil {
		return nil, fmt.Errorf("finding the host target: %w", err)
	}
	installed, err := tc.InstalledTargets(ctx)
	if err != nil {
		return nil, err
	}
	var out []Target
	var errs []error
	for _, p := range req.Platforms {
		t, err := planTarget(req, p, host, installed)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, t)
	}
	return out, errors.Join(errs...)
}

// planTarget chooses the triple, linker and library root of one platform.
func planTarget(req TargetRequest, p v1.Platform, host string, installed []string) (Target, error) {
	key := p.String()
	pt := platformTargets[key]
	t := Target{Platform: p, Triple: pt.gnu}
	switch {
	case req.Static && slices.Contains(installed, pt.musl):
		t.Triple = pt.musl
	case req.Static:
		t.Static = true
	case pt.gnu == host:
		t.Triple = "" // a plain host build
	}
	if t.Triple == "" || t.Triple == host {
		return t, nil
	}
	if !slices.Contains(installed, t.Triple) {
		return t, fmt.Errorf("%s: the Rust standard library for %s is not installed (have: %s); install it with "+
			"`rustup target add %s`, or with Debian's rustc `dpkg --add-architecture %s && apt install libstd-rust-dev:%s`",
			key, t.Triple, strings.Join(installed, ", "), t.Triple, debArch[key], debArch[key])
	}
	if pt.gnu == host {
		return t, nil // the host's own architecture (musl): the host's cc links it
	}
	if err := chooseLinker(req, pt, key, &t); err != nil {
		return t, err
	}
	if t.Static || t.Triple == pt.musl || req.Sysroot != "" || req.ImageLibraries {
		return t, nil // no C library to ship, or the user says where it is
	}
	return t, libraryRoot(req, pt, key, &t)
}

// chooseLinker keeps the linker cargo is configured with, else picks
// Debian's cross gcc; with zig, zig links.
func chooseLinker(req TargetRequest, pt platformTarget, key string, t *Target) error {
	if req.Zig {
		if t.Static {
			return zigStaticError(key, t.Triple)
		}
		return zigLinker(req, key, t)
	}
	if l := cargoconfig.ConfiguredLinker(req.Env, req.Dir, t.Triple); l != "" {
		t.Note = fmt.Sprintf("%s: linking with %s, as cargo is configured", key, l)
		return nil
	}
	look := req.LookPath
	if look == nil {
		look = exec.LookPath
	}
	gcc, err := look(pt.gcc())
	if err != nil {
		return fmt.Errorf("%s: no linker for %s: cargo has none configured and %s is not installed; "+
			"`apt install %s`, or set [target.%s] linker in .cargo/config.toml (or %s)",
			key, t.Triple, pt.gcc(), pt.pkg(), t.Triple, cargoconfig.LinkerEnv(t.Triple))
	}
	t.Env = []string{cargoconfig.LinkerEnv(t.Triple) + "=" + gcc}
	t.Note = fmt.Sprintf("%s: linking with %s (Debian's cross gcc; set [target.%s] linker in .cargo/config.toml to choose another)", key, pt.gcc(), t.Triple)
	return nil
}

// zigStaticError refuses a cross build of glibc +crt-static with zig, which
// links glibc dynamically only; musl is zig's static C library.
func zigStaticError(what, triple string) error {
	musl := strings.Replace(triple, "-linux-gnu", "-linux-musl", 1)
	return fmt.Errorf("%s: zig cannot link glibc statically (+crt-static): for a static build with --zig install the musl std "+
		"(`rustup target add %s`; berth then links statically with musl), or build without --zig", what, musl)
}

// libraryRoot finds the target's C library where Debian puts it: the
// multiarch directory (libc6:arm64 in /lib/aarch64-linux-gnu) first, else
// the cross packages' root (libc6-arm64-cross in /usr/aarch64-linux-gnu).
func libraryRoot(req TargetRequest, pt platformTarget, key string, t *Target) error {
	fsRoot := req.FS
	if fsRoot == "" {
		fsRoot = "/"
	}
	for _, d := range []string{"lib/" + pt.tuple, "usr/lib/" + pt.tuple} {
		if _, err := os.Stat(filepath.Join(fsRoot, d, "libc.so.6")); err == nil {
			return nil
		}
	}
	cross := filepath.Join(fsRoot, "usr", pt.tuple)
	if _, err := os.Stat(filepath.Join(cross, "lib", "libc.so.6")); err == nil {
		t.Root = cross
		t.Note += fmt.Sprintf("; its libraries come from %s (the cross packages)", cross)
		return nil
	}
	return fmt.Errorf("%s: no %s C library to put in the image (looked in /lib/%s and %s); "+
		"`dpkg --add-architecture %s && apt install libc6:%s`, or `apt install libc6-%s-cross`, or pass --sysroot",
		key, debArch[key], pt.tuple, cross, debArch[key], debArch[key], debArch[key])
}
