package unpack

import (
	"archive/tar"
	"errors"
	"io/fs"
	"path"
	"strings"
)

// refFS is the reference extraction the fuzzer compares Extract with: the
// same rules (later layers win, whiteouts and opaque directories hide lower
// layers only, no entry under a non-directory, hard links to extracted
// files) applied to a map instead of a file system.
type refFS struct {
	nodes   map[string]*refNode
	current map[string]bool
	want    func(string, byte) bool
}

type refNode struct {
	typ        byte
	data, link string
	mode       fs.FileMode
}

var errRef = errors.New("reference: refused")

func newRef(want func(string, byte) bool) *refFS {
	return &refFS{nodes: map[string]*refNode{"/": {typ: tar.TypeDir}}, want: want}
}

func (r *refFS) layer(entries []entry) error {
	r.current = map[string]bool{}
	for _, e := range entries {
		name := path.Clean("/" + e.name)
		if name == "/" {
			continue
		}
		dir, base := path.Split(name)
		dir = path.Clean(dir)
		var err error
		switch hidden, ok := cutWhiteout(base); {
		case base == opaqueWhiteout:
			if _, complete := r.parents(dir); complete && r.nodes[dir] != nil && r.nodes[dir].typ == tar.TypeDir {
				r.clearLower(dir)
			}
		case ok:
			r.whiteout(path.Join(dir, hidden))
		default:
			err = r.file(name, e)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *refFS) parents(name string) (blocked bool, complete bool) {
	cur := "/"
	for _, p := range strings.Split(strings.Trim(path.Dir(name), "/"), "/") {
		if p == "" {
			continue
		}
		cur = path.Join(cur, p)
		n := r.nodes[cur]
		if n == nil {
			return false, false
		}
		if n.typ != tar.TypeDir {
			return true, false
		}
	}
	return false, true
}

func (r *refFS) file(name string, e entry) error {
	offer := e.typ
	if offer == tar.TypeLink {
		offer = tar.TypeReg
	}
	wanted := r.want == nil || r.want(name, offer)
	if blocked, _ := r.parents(name); blocked {
		if wanted {
			return errRef
		}
		return nil
	}
	if n := r.nodes[name]; n != nil && !(n.typ == tar.TypeDir && e.typ == tar.TypeDir) {
		r.removeAll(name)
	}
	if !wanted {
		return nil
	}
	cur := "/"
	for _, p := range strings.Split(strings.Trim(path.Dir(name), "/"), "/") {
		if p == "" {
			continue
		}
		cur = path.Join(cur, p)
		r.current[cur] = true
		if r.nodes[cur] == nil {
			r.nodes[cur] = &refNode{typ: tar.TypeDir, mode: 0o755}
		}
	}
	r.current[name] = true
	switch e.typ {
	case tar.TypeDir:
		r.nodes[name] = &refNode{typ: tar.TypeDir, mode: fs.FileMode(e.mode)&0o777 | 0o700}
	case tar.TypeReg:
		r.nodes[name] = &refNode{typ: tar.TypeReg, data: e.body, mode: fs.FileMode(e.mode)&0o777 | 0o600}
	case tar.TypeSymlink:
		r.nodes[name] = &refNode{typ: tar.TypeSymlink, link: e.link}
	case tar.TypeLink:
		target := path.Clean("/" + e.link)
		_, complete := r.parents(target)
		t := r.nodes[target]
		if !complete || t == nil || t.typ != tar.TypeReg {
			return errRef
		}
		copied := *t
		r.nodes[name] = &copied
	}
	return nil
}

func (r *refFS) removeAll(name string) {
	for p := range r.nodes {
		if p == name || strings.HasPrefix(p, name+"/") {
			delete(r.nodes, p)
		}
	}
}

func (r *refFS) whiteout(name string) {
	if r.current[name] {
		return
	}
	if _, complete := r.parents(name); complete {
		r.removeAll(name)
	}
}

func (r *refFS) clearLower(dir string) {
	for p, n := range r.nodes {
		if p == "/" || path.Dir(p) != dir {
			continue
		}
		if !r.current[p] {
			r.removeAll(p)
		} else if n.typ == tar.TypeDir {
			r.clearLower(p)
		}
	}
}
