package elf

import (
	"cmp"
	"debug/elf"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// node is one object in the loader's list: the binary, the interpreter or a
// library. loader is the object whose DT_NEEDED first pulled it in, which is
// the chain ld.so walks for DT_RPATH.
type node struct {
	name   string // shown in NeededBy and errors
	path   string // path as loaded (a host path when host)
	host   bool
	obj    *object
	lib    *Library // nil for the binary
	loader *node
}

type resolver struct {
	root     string
	extra    []string
	machine  elf.Machine
	class    elf.Class
	conf     []string
	confErr  error
	confRead bool
	byPath   map[string]*node // key: path plus host marker
	byName   map[string]*node // DT_NEEDED names, sonames and paths already loaded
	objects  map[string]*object
	warnings []string
}

func newResolver(opts Options, m elf.Machine, c elf.Class) (*resolver, error) {
	root, err := opts.root()
	if err != nil {
		return nil, err
	}
	return &resolver{
		root: root, extra: opts.ExtraLibraryPaths, machine: m, class: c,
		byPath: map[string]*node{}, byName: map[string]*node{}, objects: map[string]*object{},
	}, nil
}

// root validates the options and returns the absolute root directory.
func (o Options) root() (string, error) {
	for _, d := range o.ExtraLibraryPaths {
		if !path.IsAbs(filepath.ToSlash(d)) {
			return "", fmt.Errorf("extra library path %q must be absolute (a directory inside the root)", d)
		}
	}
	root := o.Root
	if root == "" {
		return "/", nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("resolving root %s: %w", root, err)
	}
	if !isDir(abs) {
		return "", fmt.Errorf("root %s is not a directory; pass a sysroot directory or leave it empty for /", root)
	}
	return abs, nil
}

// run loads start's dependencies breadth first, as ld.so does. A name already
// loaded (by DT_NEEDED name, SONAME or path) is not searched again, which also
// ends dependency cycles (A needs B needs A is legal ELF).
func (r *resolver) run(start *node) error {
	var missing []error
	queue := []*node{start}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, name := range n.obj.needed {
			if have := r.byName[name]; have != nil {
				have.lib.NeededBy = append(have.lib.NeededBy, n.name)
				continue
			}
			child, err := r.find(name, n)
			if err != nil {
				missing = append(missing, err)
				continue
			}
			child.lib.NeededBy = append(child.lib.NeededBy, n.name)
			if r.register(name, child) {
				queue = append(queue, child)
			}
		}
	}
	return errors.Join(missing...)
}

// register records child under its names; it reports whether child is new
// (another name may already have led to the same path).
func (r *resolver) register(name string, child *node) bool {
	key := pathKey(child.path, child.host)
	have, seen := r.byPath[key]
	if seen {
		have.lib.NeededBy = append(have.lib.NeededBy, child.lib.NeededBy...)
		child = have
	} else {
		r.byPath[key] = child
	}
	r.byName[name] = child
	r.byName[child.path] = child
	if child.obj.soname != "" {
		r.byName[child.obj.soname] = child
	}
	return !seen
}

func pathKey(p string, host bool) string {
	if host {
		return "host:" + p
	}
	return p
}

// addInterpreter loads PT_INTERP: ld.so is in the list before anything else,
// so a DT_NEEDED on its SONAME (libc.so.6 needs ld-linux-x86-64.so.2) reuses it.
func (r *resolver) addInterpreter(main *node) error {
	interp := main.obj.interp
	if interp == "" {
		return nil
	}
	n, why, err := r.try(interp, false)
	if err != nil {
		return fmt.Errorf("interpreter %s (PT_INTERP of %s): %w", interp, main.name, err)
	}
	if n == nil {
		return fmt.Errorf("interpreter %s (PT_INTERP of %s) is not in %s (%s); the binary was linked for another libc "+
			"or architecture (musl wants /lib/ld-musl-*.so.1): build it for this root's libc, link it statically, "+
			"or point the root at a matching sysroot", interp, main.name, r.describeRoot(), cmp.Or(why, "no such file"))
	}
	n.lib.Soname, n.lib.Via = path.Base(interp), "interpreter"
	n.lib.NeededBy = append(n.lib.NeededBy, main.name)
	r.register(path.Base(interp), n)
	return r.run(n)
}

// describeRoot names the root for a message: this machine's, or a sysroot.
func (r *resolver) describeRoot() string {
	if r.root == "/" || r.root == "" {
		return "this machine's root, /"
	}
	return "the root " + r.root
}

// find searches for name on behalf of loader, in ld.so's order.
func (r *resolver) find(name string, loader *node) (*node, error) {
	if strings.Contains(name, "/") {
		return r.findPath(name, loader)
	}
	var searched []string
	for _, d := range r.searchPath(loader) {
		cand := path.Join(d.dir, name)
		searched = append(searched, d.dir)
		n, why, err := r.try(cand, d.host)
		if err != nil {
			return nil, fmt.Errorf("library %s (needed by %s): %w", name, loader.name, err)
		}
		if n == nil {
			if why != "" && !r.otherMultiarch(d.dir) {
				r.warn(fmt.Sprintf("skipped %s while looking for %s: %s", cand, name, why))
			}
			continue
		}
		n.lib.Soname, n.lib.Via, n.loader = name, d.via, loader
		n.lib.FromOrigin = d.host
		r.noteVia(n)
		return n, nil
	}
	return nil, &NotFoundError{Name: name, NeededBy: loader.name, Searched: searched}
}

// findPath handles a DT_NEEDED holding a slash: ld.so opens it as is.
func (r *resolver) findPath(name string, loader *node) (*node, error) {
	if !path.IsAbs(name) {
		return nil, fmt.Errorf("%s needs %q, a path relative to the working directory at run time; relink it with a plain soname and a RUNPATH", loader.name, name)
	}
	n, why, err := r.try(name, false)
	if err != nil {
		return nil, fmt.Errorf("library %s (needed by %s): %w", name, loader.name, err)
	}
	if n == nil {
		return nil, &NotFoundError{Name: name, NeededBy: loader.name, Searched: []string{name + " (" + why + ")"}}
	}
	n.lib.Soname, n.lib.Via, n.loader = path.Base(name), "path", loader
	return n, nil
}

func (r *resolver) noteVia(n *node) {
	switch {
	case n.lib.FromOrigin:
		r.warn(fmt.Sprintf("%s is found through the binary's $ORIGIN (%s); the image must keep it at the same place relative to the binary", n.lib.Soname, n.path))
	case n.lib.Via == "extra":
		r.warn(fmt.Sprintf("%s is found only in an extra library path (%s); the image needs LD_LIBRARY_PATH or the library in a default directory", n.lib.Soname, path.Dir(n.path)))
	}
}

func (r *resolver) warn(w string) {
	for _, have := range r.warnings {
		if have == w {
			return
		}
	}
	r.warnings = append(r.warnings, w)
}
