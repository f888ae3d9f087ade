package pipeline

import (
	"fmt"
	"runtime"
	"strings"
)

// hostFacts is what the host-OS policy looks at: the build machine's OS and
// architecture (GOOS and GOARCH names) and the request's platform, linker
// and runtime-file settings, each with where it came from.
type hostFacts struct {
	os, arch                    string
	platforms                   []string
	target                      string
	static                      bool
	base, baseFrom              string
	runtimeFrom, runtimeFromSrc string
	sysroot                     string
	zig                         *bool
	zigFrom                     string
}

// hostChoice is what the policy chose: the platform to build when the
// request names none ("" when it does), and the line that says so.
type hostChoice struct {
	platform string
	note     string
}

// foreignHost is the host-OS policy for a build machine that is not Linux
// (macOS): the image is Linux, so cargo builds for a Linux target (the
// host's architecture unless --platform or --target says otherwise), zig
// links it (there is no other Linux linker there), and the runtime files
// come from --runtime-from, a static link, --sysroot or a base image,
// never from the machine itself. What cannot work stops here, before cargo.
func foreignHost(f hostFacts) (hostChoice, error) {
	var c hostChoice
	what := ""
	switch {
	case f.target != "" && !strings.Contains(f.target, "-linux-"):
		return c, inputf("--target %s on a %s host: berth makes Linux images, and nothing was built; give a Linux triple (%s-unknown-linux-gnu), or --platform linux/%s",
			f.target, f.os, rustArch(f.arch), f.arch)
	case f.target != "":
		what = "target " + f.target
	case len(f.platforms) > 0:
		what = strings.Join(f.platforms, ", ")
	default:
		c.platform = "linux/" + f.arch
		if _, ok := platformTargets[c.platform]; !ok {
			return c, inputf("a %s/%s host builds Linux images for its own architecture by default, and berth has no Linux platform %s; give --platform (one of %s)",
				f.os, f.arch, c.platform, strings.Join(SupportedPlatforms(), ", "))
		}
		what = c.platform + " (the host's architecture)"
	}
	if f.zig != nil && !*f.zig {
		return c, inputf("zig is off (from %s), and on a %s host zig is the Linux linker berth uses; nothing was built: remove that setting (berth turns zig on here), or build on Linux",
			f.zigFrom, f.os)
	}
	files, err := runtimeSource(f)
	if err != nil {
		return c, err
	}
	c.note = fmt.Sprintf("%s host: building %s, linked by zig; %s", f.os, what, files)
	return c, nil
}

// runtimeSource says where a foreign host's build takes its runtime files
// from, or why it has none: the host's libraries are not Linux's.
func runtimeSource(f hostFacts) (string, error) {
	switch {
	case f.runtimeFrom != "":
		return fmt.Sprintf("runtime files from the image %s (from %s)", f.runtimeFrom, f.runtimeFromSrc), nil
	case f.sysroot != "":
		return "runtime files from --sysroot " + f.sysroot, nil
	case f.static:
		return "linked statically (musl), so no C library is shipped", nil
	case f.base != BaseAuto && f.base != BaseScratch && f.base != "":
		return fmt.Sprintf("the base image %s (from %s) brings the C library", f.base, f.baseFrom), nil
	}
	return "", inputf("on a %s host the image's runtime files (the C library, libgcc_s) cannot come from this machine, and nothing was built: "+
		"give --runtime-from IMAGE (or runtime-from = \"IMAGE\" in [workspace.metadata.berth], the team's default), "+
		"--static (with the musl std: `rustup target add %s-unknown-linux-musl`), or --base IMAGE", f.os, rustArch(f.arch))
}

// rustArch is Rust's name of a GOARCH, for hints.
func rustArch(goarch string) string {
	switch goarch {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	}
	return goarch
}

// applyHostPolicy runs the host-OS policy on a build machine that is not
// Linux (a Linux one builds as it always has): the default platform and zig
// become settings with the policy as their source, and the choice is said
// on stderr. A prebuilt binary (--binary) runs no cargo: its ELF file names
// its platform, and it is packaged as on Linux.
func (p *Plan) applyHostPolicy() error {
	hostOS, arch := p.req.HostOS, p.req.HostArch
	if hostOS == "" {
		hostOS = runtime.GOOS
	}
	if arch == "" {
		arch = runtime.GOARCH
	}
	if hostOS == "linux" || p.req.prebuilt() {
		return nil
	}
	c, err := foreignHost(hostFacts{
		os: hostOS, arch: arch, platforms: p.cfg.Platforms, target: p.firstTarget(),
		static: p.cfg.Static != nil && *p.cfg.Static, base: *p.cfg.Base, baseFrom: p.cfg.Origin("base"),
		runtimeFrom: p.req.RuntimeFrom, runtimeFromSrc: p.runtimeFromSrc, sysroot: p.req.Sysroot,
		zig: p.cfg.Zig, zigFrom: p.cfg.Origin("zig"),
	})
	if err != nil {
		return err
	}
	source := "the " + hostOS + " host"
	if c.platform != "" {
		p.cfg.Platforms = []string{c.platform}
		p.cfg.Sources["platforms"] = source
	}
	if p.cfg.Zig == nil {
		on := true
		p.cfg.Zig = &on
		p.cfg.Sources["zig"] = source
	}
	p.hostNote = c.note
	fmt.Fprintln(p.log, c.note)
	return nil
}

// firstTarget is the first --target given (one is allowed; resolveZig says
// so), with any glibc suffix.
func (p *Plan) firstTarget() string {
	if len(p.req.Cargo.Targets) == 0 {
		return ""
	}
	return p.req.Cargo.Targets[0]
}
