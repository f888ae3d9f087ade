package build

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"time"

	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/rootfs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Base kinds besides an image reference.
const (
	BaseAuto    = "auto"    // the binary's exact runtime closure on an empty image
	BaseScratch = "scratch" // the binary alone; it must be static
)

// BinDir is where the application binary lives in the image.
const BinDir = "/usr/local/bin"

// Options are the inputs of one image build.
type Options struct {
	// Binary is the host ELF file to package (built by Compile or given).
	Binary string
	// Name is the binary's name in the image; "" means Binary's base name.
	Name string
	// Base is BaseAuto, BaseScratch or an image reference.
	Base string
	// Root is the sysroot runtime files come from; "" means "/".
	Root     string
	Includes []string
	Epoch    time.Time
	Env      []string
	Labels   map[string]string
	Expose   []string
	User     string
	// Pull fetches a base image; nil means image.Pull.
	Pull func(ctx context.Context, ref string, p v1.Platform) (v1.Image, error)
}

// Result is a built image and what went into it.
type Result struct {
	Image    v1.Image
	Closure  *elf.Closure
	Warnings []string
}

// Image packages opts.Binary: reads its ELF closure, assembles the runtime
// and application layers and returns the (not yet published) image.
func Image(ctx context.Context, opts Options) (*Result, error) {
	closure, err := elf.Resolve(opts.Binary, elf.Options{Root: opts.Root})
	if err != nil {
		return nil, err
	}
	platform, err := Platform(closure.Machine, closure.Class)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Binary, err)
	}
	name := opts.Name
	if name == "" {
		name = filepath.Base(opts.Binary)
	}
	dest := path.Join(BinDir, name)
	res := &Result{Closure: closure, Warnings: closure.Warnings}
	if closure.NSS && opts.Base != BaseAuto && opts.Base != "" {
		res.Warnings = append(res.Warnings, nssWarning(opts.Binary, opts.Base))
	}
	runtime, base, err := runtimeLayer(ctx, opts, closure, platform, res)
	if err != nil {
		return nil, err
	}
	app, err := rootfs.Binary(opts.Binary, dest)
	if err != nil {
		return nil, err
	}
	res.Image, err = image.Build(image.Options{
		Base:       base,
		Layers:     [][]fileset.File{runtime.Files(), app.Files()},
		LayerNames: []string{"runtime files", "application " + name},
		Platform:   platform,
		Epoch:      opts.Epoch,
		Entrypoint: []string{dest},
		Env:        opts.Env,
		User:       opts.User,
		// A base image's working directory is kept; scratch gets "/".
		WorkingDir:   workingDir(base),
		ExposedPorts: opts.Expose,
		Labels:       opts.Labels,
	})
	if err != nil {
		return nil, fmt.Errorf("assembling the image: %w", err)
	}
	return res, nil
}

// runtimeLayer returns the files to put under the binary and the base image
// to put them on (nil for an empty image).
func runtimeLayer(ctx context.Context, opts Options, c *elf.Closure, p v1.Platform, res *Result) (*fileset.Set, v1.Image, error) {
	switch opts.Base {
	case BaseScratch:
		if !c.Static {
			return nil, nil, fmt.Errorf("--base scratch needs a static binary, but %s is dynamically linked (interpreter %s); use --base auto to ship its libraries, or --static", opts.Binary, c.Interpreter)
		}
		set, w, err := rootfs.Runtime(rootfs.Options{Root: opts.Root, Includes: opts.Includes})
		res.Warnings = append(res.Warnings, w...)
		return set, nil, err
	case BaseAuto, "":
		set, w, err := rootfs.Runtime(rootfs.Options{
			Root: opts.Root, System: true, Includes: opts.Includes,
			Libraries: libraryPaths(c),
		})
		if err != nil {
			return nil, nil, err
		}
		res.Warnings = append(res.Warnings, w...)
		return set, nil, addOriginLibraries(set, c, opts.Binary)
	default:
		pull := opts.Pull
		if pull == nil {
			pull = func(ctx context.Context, ref string, p v1.Platform) (v1.Image, error) {
				return image.Pull(ctx, ref, p)
			}
		}
		base, err := pull(ctx, opts.Base, p)
		if err != nil {
			return nil, nil, fmt.Errorf("pulling base image %s: %w", opts.Base, err)
		}
		set, w, err := rootfs.Runtime(rootfs.Options{Root: opts.Root, Includes: opts.Includes})
		res.Warnings = append(res.Warnings, w...)
		return set, base, err
	}
}

func libraryPaths(c *elf.Closure) []string {
	var out []string
	for _, l := range c.Libraries {
		if !l.FromOrigin {
			out = append(out, l.Path)
		}
	}
	return out
}

// addOriginLibraries places libraries found through $ORIGIN at the same
// place relative to the binary in the image as on the host.
func addOriginLibraries(set *fileset.Set, c *elf.Closure, binary string) error {
	hostDir := filepath.Dir(binary)
	if real, err := filepath.EvalSymlinks(binary); err == nil {
		hostDir = filepath.Dir(real)
	}
	for _, l := range c.Libraries {
		if !l.FromOrigin {
			continue
		}
		rel, err := filepath.Rel(hostDir, l.Path)
		if err != nil {
			return fmt.Errorf("placing %s next to the binary: %w", l.Path, err)
		}
		dest := path.Clean(path.Join(BinDir, filepath.ToSlash(rel)))
		if err := set.Add(fileset.File{Path: dest, Source: l.Source, Mode: 0o755}); err != nil {
			return err
		}
	}
	return nil
}

func workingDir(base v1.Image) string {
	if base == nil {
		return "/"
	}
	return ""
}

// nssWarning explains the one case berth cannot make safe: static glibc
// has the files and dns NSS services built in (glibc 2.34+), and the auto
// base writes an nsswitch.conf naming only those; another base's may name
// modules (systemd, ldap) the static binary would dlopen from a glibc it was
// not linked with.
func nssWarning(binary, base string) string {
	return fmt.Sprintf("%s is static glibc and looks up names, users or groups (NSS): with --base %s the image's "+
		"/etc/nsswitch.conf must name only the files and dns services, or lookups may fail; --base auto writes such a file", binary, base)
}
