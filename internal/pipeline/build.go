package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/debuginfo"
	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/image"
	"github.com/berth-dev/berth/internal/pkgdb"
	"github.com/berth-dev/berth/internal/rootfs"
	"github.com/berth-dev/berth/internal/stamp"
	"github.com/berth-dev/berth/internal/timing"
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
	Root string
	// SystemRoot is where the system files (CA bundle) come from when not
	// from Root; "" means Root.
	SystemRoot string
	// LibraryPaths are searched for libraries like LD_LIBRARY_PATH (inside
	// Root); the image then gets LD_LIBRARY_PATH so its loader looks there.
	LibraryPaths []string
	Includes     []string
	Epoch        time.Time
	Env          []string
	Labels       map[string]string
	Expose       []string
	User         string
	// Cache keeps compressed layers between builds; nil means none.
	Cache *image.Cache
	// Stamps remembers the digests of unchanged host files (the binary's,
	// for the SBOM) between builds; the zero value remembers nothing.
	Stamps stamp.Store
	// DigestBinary hashes the binary (for the SBOM) beside the layers'
	// compression, on the other core, rather than after it.
	DigestBinary bool
	// RuntimeFrom is an image whose runtime files (libraries, CA bundle)
	// replace the build machine's, pulled for each platform; "" means none.
	RuntimeFrom string
	// RuntimeCache keeps the extracted runtime files of RuntimeFrom images
	// by digest (a directory cachedir checked); "" means no cache: they
	// are extracted to a private temporary directory removed after the
	// build.
	RuntimeCache string
	// Compression of the image's layers; empty means gzip.
	Compression image.Compression
	// Progress shows a long layer compression there; nil shows nothing.
	Progress io.Writer
	// Extras are the runtime files beyond the closure (zone database,
	// init) and what decides them.
	Extras Extras
	// Healthcheck is the image's health check; nil means none.
	Healthcheck *v1.HealthConfig
	// Pull fetches a base image; nil means image.Pull.
	Pull func(ctx context.Context, ref string, p v1.Platform) (v1.Image, error)
}

// Result is a built image and what went into it.
type Result struct {
	Image v1.Image
	*Contents
	// Crates are the crates compiled into the binary (its .dep-v0 list);
	// nil when they were not listed.
	Crates []audit.Crate
	// runtimeDigest is the --runtime-from image's digest for this
	// platform; "" without one.
	runtimeDigest string
	// Split is the binary's debug information split out (the image has
	// the stripped binary); nil without split-debuginfo.
	Split *debuginfo.Result
	// Debug is the debug variant: Image plus busybox; nil without
	// debug-variant.
	Debug v1.Image
}

// Contents is what an image of the binary holds, before it is an image.
type Contents struct {
	Closure    *elf.Closure
	Platform   v1.Platform
	Runtime    *fileset.Set // libraries and system files, the rarely changing layer
	App        *fileset.Set // the binary alone
	Entrypoint string       // the binary's path in the image
	Init       bool         // tini runs the binary (InitPath)
	// Notes say what was decided about the runtime files and why, for the
	// summary (the zone database shipped or left out).
	Notes    []string
	Base     v1.Image // nil for an empty image
	Warnings []string
	// OS packages of the runtime files taken from the build machine (or
	// the sysroot), for --base auto: their records are in Runtime.
	Packages []pkgdb.Package
	Unowned  []pkgdb.File  // shipped files no package owns, sorted by path
	Distro   *pkgdb.Distro // the os-release of the root; nil if it has none
	// PackageDB is "dpkg" when Packages come from dpkg's database, "" when
	// the root has none (not Debian-based: every file is in Unowned) or
	// the base is not auto.
	PackageDB string
	// stamps remembers file digests for the SBOM (Options.Stamps).
	stamps stamp.Store
	// binaryDigest, when set, gives the sha256 of the host file
	// digestedBinary, started early (Options.DigestBinary).
	binaryDigest   func() (string, error)
	digestedBinary string
}

// Collect reads opts.Binary's ELF closure and gathers the files of the
// runtime and application layers, and the base image when one is named.
func Collect(ctx context.Context, opts Options) (*Contents, error) {
	defer timing.Start(ctx, "closure and runtime files")()
	done := timing.Start(ctx, "  ELF closure")
	closure, err := elf.Resolve(opts.Binary, elf.Options{Root: opts.Root, ExtraLibraryPaths: opts.LibraryPaths})
	if err != nil {
		var nf *elf.NotFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("%w\n(--library-path DIR adds a directory to search; --sysroot DIR resolves in another root)", err)
		}
		return nil, err
	}
	done()
	c := &Contents{Closure: closure, Warnings: closure.Warnings, stamps: opts.Stamps}
	if c.Platform, err = Platform(closure.Machine, closure.Class); err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Binary, err)
	}
	name := opts.Name
	if name == "" {
		name = filepath.Base(opts.Binary)
	}
	c.Entrypoint = path.Join(BinDir, name)
	if closure.NSS && opts.Base != BaseAuto && opts.Base != "" {
		c.Warnings = append(c.Warnings, nssWarning(opts.Binary, opts.Base))
	}
	xs, err := runtimeExtras(opts, c)
	if err != nil {
		return nil, err
	}
	if c.Runtime, c.Base, err = runtimeLayer(ctx, opts, closure, c, xs); err != nil {
		return nil, err
	}
	if c.Init {
		if err := checkMachine(extrasRoot(opts), initExtra, closure); err != nil {
			return nil, err
		}
	}
	if c.Runtime != nil && c.Runtime.Has(c.Entrypoint) {
		return nil, fmt.Errorf("an include puts a file at %s, where the binary goes: the binary would hide it; give the include another destination", c.Entrypoint)
	}
	if c.App, err = rootfs.Binary(opts.Binary, c.Entrypoint); err != nil {
		return nil, err
	}
	return c, nil
}

// Image packages opts.Binary into a (not yet published) image: the runtime
// layer, then the application layer, so a rebuild changes only the last.
func Image(ctx context.Context, opts Options) (*Result, error) {
	c, err := Collect(ctx, opts)
	if err != nil {
		return nil, err
	}
	if opts.DigestBinary {
		c.digestedBinary, c.binaryDigest = opts.Binary, digestAsync(opts.Binary, opts.Stamps)
	}
	img, err := image.Build(ctx, image.Options{
		Base:        c.Base,
		Layers:      [][]fileset.File{c.Runtime.Files(), c.App.Files()},
		LayerNames:  []string{"runtime files", "application " + path.Base(c.Entrypoint)},
		Platform:    c.Platform,
		Epoch:       opts.Epoch,
		Entrypoint:  entrypoint(c.Entrypoint, c.Init),
		Healthcheck: opts.Healthcheck,
		Env:         withLibraryPath(opts.Env, opts.LibraryPaths),
		User:        opts.User,
		// A base image's working directory is kept; scratch gets "/".
		WorkingDir:   workingDir(c.Base),
		ExposedPorts: opts.Expose,
		Labels:       opts.Labels,
		Cache:        opts.Cache,
		Compression:  opts.Compression,
		Progress:     opts.Progress,
	})
	if err != nil {
		return nil, fmt.Errorf("assembling the image: %w", err)
	}
	return &Result{Image: img, Contents: c}, nil
}

// stageFiles writes the files of an image of opts.Binary into the new
// directory dir, for a Dockerfile's `COPY --from=builder dir /` onto
// scratch. With appDir the binary goes there instead, so that the
// Dockerfile can copy it as a layer of its own: the runtime files rarely
// change, the binary every build.
func stageFiles(ctx context.Context, opts Options, dir, appDir string) (*Contents, error) {
	c, err := Collect(ctx, opts)
	if err != nil {
		return nil, err
	}
	if appDir != "" {
		if err := rootfs.WriteDir(ctx, dir, c.Runtime.Files()); err != nil {
			return nil, err
		}
		return c, rootfs.WriteDir(ctx, appDir, c.App.Files())
	}
	all := &fileset.Set{}
	for _, f := range append(c.Runtime.Files(), c.App.Files()...) {
		if err := all.Add(f); err != nil {
			return nil, err
		}
	}
	return c, rootfs.WriteDir(ctx, dir, all.Files())
}

// checkStageDirs checks stage's outputs before cargo runs: each must be
// new or empty, and neither inside the other (the first written would make
// the second non-empty).
func checkStageDirs(dir, appDir string) error {
	if dir == "" {
		return inputf("--out DIR is required: the directory to write the root filesystem to")
	}
	for _, d := range []string{dir, appDir} {
		if d == "" {
			continue
		}
		if err := rootfs.CheckDir(d); err != nil {
			return &InputError{err}
		}
	}
	if appDir == "" {
		return nil
	}
	a, errA := filepath.Abs(dir)
	b, errB := filepath.Abs(appDir)
	if errA != nil || errB != nil {
		return inputf("resolving --out %s and --app-out %s: %v", dir, appDir, errors.Join(errA, errB))
	}
	if a == b || strings.HasPrefix(b, a+string(filepath.Separator)) || strings.HasPrefix(a, b+string(filepath.Separator)) {
		return inputf("--out %s and --app-out %s overlap: give two separate directories (or leave out --app-out to stage everything in --out)", dir, appDir)
	}
	return nil
}

// runtimeLayer returns the files to put under the binary and the base image
// to put them on (nil for an empty image).
func runtimeLayer(ctx context.Context, opts Options, c *elf.Closure, res *Contents, xs []rootfs.Extra) (*fileset.Set, v1.Image, error) {
	switch opts.Base {
	case BaseScratch:
		if !c.Static {
			return nil, nil, fmt.Errorf("--base scratch needs a static binary, but %s is dynamically linked (interpreter %s); use --base auto to ship its libraries, or --static", opts.Binary, c.Interpreter)
		}
		set, w, err := rootfs.Runtime(rootfs.Options{Root: opts.Root, Includes: opts.Includes})
		res.Warnings = append(res.Warnings, w...)
		if err != nil {
			return nil, nil, err
		}
		return set, nil, addFrom(set, rootfs.Options{Root: extrasRoot(opts), Extras: xs}, res)
	case BaseAuto, "":
		set, w, err := rootfs.Runtime(rootfs.Options{
			Root: opts.Root, System: opts.SystemRoot == "", Includes: opts.Includes,
			Libraries: libraryPaths(c),
		})
		if err != nil {
			return nil, nil, err
		}
		res.Warnings = append(res.Warnings, w...)
		if err := addFrom(set, rootfs.Options{Root: extrasRoot(opts), System: opts.SystemRoot != "", Extras: xs}, res); err != nil {
			return nil, nil, err
		}
		if err := addOriginLibraries(set, c, opts.Binary); err != nil {
			return nil, nil, err
		}
		defer timing.Start(ctx, "  OS package records")()
		return set, nil, addPackages(set, opts.Root, rootName(opts), res)
	default:
		pull := opts.Pull
		if pull == nil {
			pull = func(ctx context.Context, ref string, p v1.Platform) (v1.Image, error) {
				return image.Pull(ctx, ref, p)
			}
		}
		base, err := pull(ctx, opts.Base, res.Platform)
		if err != nil {
			return nil, nil, fmt.Errorf("pulling base image %s: %w", opts.Base, err)
		}
		w, err := checkOnBase(ctx, base, opts.Binary, opts.Base, opts.User)
		if err != nil {
			return nil, nil, err
		}
		res.Warnings = append(res.Warnings, w...)
		set, w, err := rootfs.Runtime(rootfs.Options{Root: opts.Root, Includes: opts.Includes})
		res.Warnings = append(res.Warnings, w...)
		if err != nil {
			return nil, nil, err
		}
		return set, base, addFrom(set, rootfs.Options{Root: extrasRoot(opts), Extras: xs}, res)
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

// withLibraryPath adds LD_LIBRARY_PATH for the extra library directories,
// unless env sets it already.
func withLibraryPath(env, dirs []string) []string {
	if len(dirs) == 0 {
		return env
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "LD_LIBRARY_PATH=") {
			return env
		}
	}
	return append(append([]string(nil), env...), "LD_LIBRARY_PATH="+strings.Join(dirs, ":"))
}
