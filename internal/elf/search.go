package elf

import (
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/internal/chroot"
)

// searchDir is one directory of a search path; host marks a directory derived
// from the binary's $ORIGIN, which lives on the host, not inside Root.
type searchDir struct {
	dir  string
	host bool
	via  string
}

// searchPath is ld.so's order for a name needed by loader: DT_RPATH of loader
// and its loaders (only while loader has no DT_RUNPATH; an object with
// DT_RUNPATH ignores its own DT_RPATH), LD_LIBRARY_PATH, DT_RUNPATH of loader,
// the ld.so.conf directories, the default directories (the last two skipped
// under DF_1_NODEFLIB). glibc-hwcaps subdirectories are not searched.
func (r *resolver) searchPath(loader *node) []searchDir {
	var dirs []searchDir
	if len(loader.obj.runpath) == 0 {
		for l := loader; l != nil; l = l.loader {
			if len(l.obj.runpath) == 0 {
				dirs = append(dirs, r.expand(l, l.obj.rpath, "rpath")...)
			}
		}
	}
	for _, d := range r.extra {
		dirs = append(dirs, searchDir{dir: path.Clean(filepath.ToSlash(d)), via: "extra"})
	}
	dirs = append(dirs, r.expand(loader, loader.obj.runpath, "runpath")...)
	if loader.obj.nodeflib {
		return dedupeDirs(dirs)
	}
	for _, d := range r.confDirs() {
		dirs = append(dirs, searchDir{dir: d, via: "ldconfig"})
	}
	for _, d := range defaultDirs(r.machine, r.class) {
		dirs = append(dirs, searchDir{dir: d, via: "default"})
	}
	return dedupeDirs(dirs)
}

func dedupeDirs(dirs []searchDir) []searchDir {
	seen := map[searchDir]bool{}
	out := dirs[:0]
	for _, d := range dirs {
		k := searchDir{dir: d.dir, host: d.host}
		if !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}

func (r *resolver) confDirs() []string {
	if !r.confRead {
		r.confRead = true
		r.conf, r.confErr = readLdSoConf(r.root)
		if r.confErr != nil {
			r.warn(fmt.Sprintf("ignoring ld.so.conf: %v", r.confErr))
		}
	}
	return r.conf
}

// expand substitutes the dynamic string tokens of RPATH/RUNPATH entries of l.
func (r *resolver) expand(l *node, entries []string, via string) []searchDir {
	var out []searchDir
	for _, e := range entries {
		usesOrigin := strings.Contains(e, "$ORIGIN") || strings.Contains(e, "${ORIGIN}")
		if strings.Contains(e, "PLATFORM}") || strings.Contains(e, "$PLATFORM") {
			r.warn(fmt.Sprintf("%s of %s uses $PLATFORM, which depends on the CPU at run time; assumed %q", strings.ToUpper(via), l.name, platformName(r.machine)))
		}
		lib := libDirName(r.root, r.machine, r.class)
		d := strings.NewReplacer(
			"${ORIGIN}", path.Dir(l.path), "$ORIGIN", path.Dir(l.path),
			"${LIB}", lib, "$LIB", lib,
			"${PLATFORM}", platformName(r.machine), "$PLATFORM", platformName(r.machine),
		).Replace(e)
		if !path.IsAbs(d) {
			r.warn(fmt.Sprintf("ignoring %s entry %q of %s: it is relative to the working directory at run time", strings.ToUpper(via), e, l.name))
			continue
		}
		out = append(out, searchDir{dir: path.Clean(d), host: usesOrigin && l.host, via: via})
	}
	return out
}

// try opens candidate p (inside Root, or on the host) and returns a node when
// it is a shared object for this machine. Otherwise the reason is returned,
// "" when the file simply does not exist. A symlink loop is an error: ld.so
// would fail on it too, and "not found, install the package" would mislead.
func (r *resolver) try(p string, host bool) (*node, string, error) {
	root := r.root
	if host {
		root = "/"
	}
	real, links, err := regularFile(root, p)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, "", nil
		case errors.Is(err, chroot.ErrLoop):
			return nil, "", fmt.Errorf("%w inside %s: fix or remove the link", err, root)
		}
		return nil, err.Error(), nil
	}
	src := hostPath(root, real)
	o, err := r.object(src)
	if err != nil {
		return nil, err.Error(), nil
	}
	if why := r.mismatch(o); why != "" {
		return nil, why, nil
	}
	lib := &Library{Path: p, Real: real, Source: src, Links: links}
	return &node{name: p, path: p, host: host, obj: o, lib: lib}, "", nil
}

// mismatch is why ld.so would skip o (and keep searching), "" if it fits.
func (r *resolver) mismatch(o *object) string {
	switch {
	case o.class != r.class:
		return fmt.Sprintf("it is %s, the binary is %s", className(o.class), className(r.class))
	case o.machine != r.machine:
		return fmt.Sprintf("it is for %s, the binary is for %s", o.machine, r.machine)
	case o.typ != elf.ET_DYN:
		return fmt.Sprintf("it is %s, not a shared object", o.typ)
	}
	return ""
}

func className(c elf.Class) string {
	switch c {
	case elf.ELFCLASS32:
		return "32-bit"
	case elf.ELFCLASS64:
		return "64-bit"
	}
	return c.String()
}

// object parses host file src once per resolution.
func (r *resolver) object(src string) (*object, error) {
	if o, ok := r.objects[src]; ok {
		return o, nil
	}
	head, err := readHead(src)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(string(head), "\x7fELF") {
		return nil, fmt.Errorf("not an ELF file (a linker script or data)")
	}
	o, f, err := openObject(src)
	if err != nil {
		return nil, err
	}
	f.Close()
	r.objects[src] = o
	return o, nil
}
