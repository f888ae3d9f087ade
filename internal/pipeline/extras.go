package pipeline

import (
	debugelf "debug/elf"
	"fmt"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/chroot"
	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/extras"
	"github.com/berth-dev/berth/internal/rootfs"
)

// InitPath is tini's path in the image: Debian's tini package's static
// build, which needs no library.
const InitPath = "/usr/bin/tini-static"

// Runtime extras from Debian packages, taken from the system root (the
// build machine, --sysroot or --runtime-from's image).
var (
	zoneExtra = rootfs.Extra{Path: extras.ZoneDir, Package: "tzdata", Skip: []string{"posix", "right"}, For: "--tzdata"}
	initExtra = rootfs.Extra{Path: InitPath, Package: "tini", For: "--init"}
)

// Extras are the runtime settings beyond the closure.
type Extras struct {
	// TZData ships the zone database when true, not when false; nil ships
	// it when the binary reads it (extras.Zone), for --base auto.
	TZData *bool
	// TZDataFrom is where TZData was set, for the summary.
	TZDataFrom string
	// Init puts tini in front of the binary as PID 1.
	Init bool
	// DebugVariant also makes the image with busybox under /busybox.
	DebugVariant bool
	// Crates are the names of the crates compiled into the binary.
	Crates []string
}

// runtimeExtras decides the extra files of opts' image, and says in c's
// notes why the zone database is shipped or left out, for the summary. A
// zone database the binary reads but the root lacks is a warning: it was
// not asked for.
func runtimeExtras(opts Options, c *Contents) ([]rootfs.Extra, error) {
	var out []rootfs.Extra
	x := opts.Extras
	zone, why := false, ""
	switch {
	case x.TZData != nil:
		zone, why = *x.TZData, "tzdata set by "+x.TZDataFrom
	case opts.Base != BaseAuto && opts.Base != "":
		why = "automatic only with --base auto"
	default:
		var err error
		if zone, why, err = extras.Zone(opts.Binary, x.Crates, opts.Env); err != nil {
			return nil, err
		}
		if err := rootfs.CheckExtra(extrasRoot(opts), zoneExtra); zone && err != nil {
			c.Warnings = append(c.Warnings, fmt.Sprintf("the binary reads the zone database (%s), but %v", why, err))
			zone, why = false, why+", but the root has no tzdata"
		}
	}
	note := "zone database left out: " + why
	if zone {
		out = append(out, zoneExtra)
		note = "zone database shipped: " + why
	}
	c.Notes, c.Init = append(c.Notes, note), x.Init
	if x.Init {
		out = append(out, initExtra)
	}
	return out, nil
}

// CheckExtras checks, before cargo runs, that root (the build machine's
// when "") has what the settings ask for: a missing package stops the
// build, naming it. An automatic zone database is checked when it is
// decided, after the build.
func CheckExtras(root string, x Extras) error {
	if x.TZData != nil && *x.TZData {
		if err := rootfs.CheckExtra(root, zoneExtra); err != nil {
			return &InputError{err}
		}
	}
	if x.Init {
		if err := rootfs.CheckExtra(root, initExtra); err != nil {
			return &InputError{err}
		}
	}
	if x.DebugVariant {
		if err := rootfs.CheckExtra(root, busyboxExtra); err != nil {
			return &InputError{err}
		}
	}
	return nil
}

// checkMachine refuses an extra program (tini, busybox) built for another
// machine than the binary (the build machine's for a cross target).
func checkMachine(root string, x rootfs.Extra, c *elf.Closure) error {
	_, host, _, _, err := chroot.Regular(root, x.Path)
	if err != nil {
		return fmt.Errorf("%s: %w", x.For, err)
	}
	f, err := debugelf.Open(host)
	if err != nil {
		return fmt.Errorf("%s: reading %s: %w", x.For, host, err)
	}
	defer f.Close()
	if f.Machine != c.Machine {
		return fmt.Errorf("%s: %s is built for %s, the binary for %s: install the %s package of the binary's architecture in a root given with --sysroot or --runtime-from", x.For, host, f.Machine, c.Machine, x.Package)
	}
	return nil
}

// extras are the plan's runtime settings beyond the closure.
func (p *Plan) extras() Extras {
	return Extras{
		TZData: p.cfg.TZData, TZDataFrom: p.cfg.Source("tzdata"), Init: p.cfg.Init != nil && *p.cfg.Init,
		DebugVariant: p.cfg.DebugVariant != nil && *p.cfg.DebugVariant,
	}
}

// warnAllocator warns, once per build, that a static musl binary gets
// musl's allocator.
func (p *Plan) warnAllocator(t Target, crates []string) {
	if p.warnedAllocator || !t.Static || p.req.Binary != "" {
		return
	}
	if w := extras.MuslAllocator(t.Triple, crates); w != "" {
		p.warnedAllocator = true
		p.warn([]string{w})
	}
}

func crateNames(crates []audit.Crate) []string {
	out := make([]string, 0, len(crates))
	for _, c := range crates {
		out = append(out, c.Name)
	}
	return out
}

// entrypoint is the image's entrypoint: the binary, behind tini with
// --init.
func entrypoint(bin string, init bool) []string {
	if init {
		return []string{InitPath, "--", bin}
	}
	return []string{bin}
}
