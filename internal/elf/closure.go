package elf

import (
	"cmp"
	"debug/elf"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Options says where to look for libraries.
type Options struct {
	// Root is the sysroot libraries are resolved in; "" means "/". The
	// interpreter, ld.so.conf, RPATH/RUNPATH and default directories are all
	// looked up inside it; only the binary and $ORIGIN of the binary are host paths.
	Root string
	// ExtraLibraryPaths are searched like LD_LIBRARY_PATH (after RPATH, before
	// RUNPATH); they are paths inside Root.
	ExtraLibraryPaths []string
}

// Closure is everything the dynamic loader opens to start a binary.
type Closure struct {
	Binary      string // path of the analysed binary
	Machine     elf.Machine
	Class       elf.Class
	Static      bool      // no PT_INTERP and no DT_NEEDED (static-pie included)
	Interpreter string    // PT_INTERP as requested, "" when static
	Libraries   []Library // every needed object, transitively, interpreter included, sorted by Path
	NSS         bool      // static glibc with NSS lookups (getaddrinfo, getpwnam, ...); see detectNSS
	Warnings    []string
}

// Library is one shared object of a closure.
type Library struct {
	Soname string // name as in DT_NEEDED (the base name of PT_INTERP for the interpreter)
	// Path is what the loader opens, absolute and inside the image (a host
	// path when FromOrigin); it may cross symlinks.
	Path string
	// Real is the regular file Path leads to, inside the image.
	Real string
	// Source is the host file holding Real's bytes (Real under Root).
	Source string
	// Links are the symlinks crossed from Path to Real, directories included,
	// in the order the kernel follows them, so an image can reproduce them.
	Links    []Link
	NeededBy []string // objects that asked for it: the binary's path or a library's Path
	Via      string   // where it was found: interpreter, path, rpath, extra, runpath, ldconfig, default
	// FromOrigin is set when the library was found through the binary's
	// $ORIGIN: Path and Real are host paths, and the image must keep the
	// library at the same place relative to the binary.
	FromOrigin bool
}

// Resolve computes the runtime closure of binary the way glibc's ld.so would
// load it inside opts.Root. Missing libraries are reported together as
// *NotFoundError values joined into one error.
func Resolve(binary string, opts Options) (*Closure, error) {
	b, err := Check(binary)
	if err != nil {
		return nil, err
	}
	c := &Closure{Binary: binary, Machine: b.Machine, Class: b.Class, Static: b.Static, Interpreter: b.Interpreter}
	if b.Static {
		c.NSS, err = detectNSS(binary)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	r, err := newResolver(opts, b.Machine, b.Class)
	if err != nil {
		return nil, err
	}
	origin, err := filepath.EvalSymlinks(binary)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", binary, err)
	}
	main := &node{name: binary, path: origin, host: true, obj: b.obj}
	if err := r.addInterpreter(main); err != nil {
		return nil, err
	}
	// Versions are checked on whatever was found even when something is
	// missing, so that a caller can tell the two kinds of failure apart.
	if err := errors.Join(r.run(main), r.checkVersions(main)); err != nil {
		return nil, err
	}
	c.Libraries, c.Warnings = r.libraries(), r.warnings
	return c, nil
}

// NSSModules resolves the glibc NSS modules a static glibc binary may dlopen
// (libnss_files.so.2, libnss_dns.so.2) with their own closure, for images that
// want them. Since glibc 2.34 files and dns are also built into libc, so the
// modules matter only for older glibc or an nsswitch.conf naming them.
func NSSModules(opts Options, machine elf.Machine, class elf.Class) ([]Library, error) {
	r, err := newResolver(opts, machine, class)
	if err != nil {
		return nil, err
	}
	loader := &node{name: "glibc NSS (dlopen)", obj: &object{
		class: class, machine: machine, needed: []string{"libnss_files.so.2", "libnss_dns.so.2"},
	}}
	if err := r.run(loader); err != nil {
		return nil, err
	}
	return r.libraries(), nil
}

// libraries returns the resolved objects sorted by path with sorted NeededBy.
func (r *resolver) libraries() []Library {
	out := make([]Library, 0, len(r.byPath))
	for _, n := range r.byPath {
		l := *n.lib
		l.NeededBy = slices.Compact(slices.Sorted(slices.Values(l.NeededBy)))
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// NotFoundError reports a needed library that no searched directory holds.
type NotFoundError struct {
	Name     string   // DT_NEEDED entry
	NeededBy string   // object that needs it
	Searched []string // directories tried, in order
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("library %s (needed by %s) not found; searched %s; install the package that ships it "+
		"(the runtime package, or -dev for a build sysroot; `apt-file search %s` names it on Debian) "+
		"or add the directory holding it to the extra library paths",
		e.Name, e.NeededBy, cmp.Or(strings.Join(e.Searched, ":"), "no directory (the binary names no search path and the root has none)"), e.Name)
}
