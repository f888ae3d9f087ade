package pkgdb

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

// query is one path to find an owner for.
type query struct {
	path  string // as asked
	base  string // path.Base(path)
	canon string // directory resolved inside the root, then base
}

// fileList is one package's list of files, by base name so that a query
// only resolves the few lines that can match it.
type fileList map[string][]string

// matcher finds owners while keeping the lists it has read.
type matcher struct {
	db     *DB
	loaded map[string]fileList // list file name -> its lines
	order  []string            // loaded list names, first read first
}

// match returns the list file that owns each path it can find an owner for.
// It reads the lists of the packages a library's name suggests and those
// that already matched (libc6 owns libm and the loader), and reads every
// list, filtered by a byte search, only for what is still unowned.
func (db *DB) match(paths []string) (map[string]string, error) {
	m := &matcher{db: db, loaded: map[string]fileList{}}
	owner := map[string]string{}
	var left []query
	for _, p := range paths {
		left = append(left, query{path: p, base: path.Base(p), canon: db.canonical(p)})
	}
	var err error
	for pass := 0; pass < 2 && len(left) > 0; pass++ {
		if left, err = m.try(left, owner, m.candidates); err != nil {
			return nil, err
		}
	}
	left = m.generated(left, owner)
	if len(left) > 0 {
		if _, err = m.scan(left, owner); err != nil {
			return nil, err
		}
	}
	return owner, nil
}

// try matches each query against the lists candidates names, and returns the
// queries still unowned.
func (m *matcher) try(qs []query, owner map[string]string, candidates func(query) []string) ([]query, error) {
	var left []query
	for _, q := range qs {
		found := false
		for _, list := range candidates(q) {
			ok, err := m.owns(list, q)
			if err != nil {
				return nil, err
			}
			if ok {
				owner[q.path], found = list, true
				break
			}
		}
		if !found {
			left = append(left, q)
		}
	}
	return left, nil
}

// candidates are the lists already read, then those of the package names
// Debian's policy gives q's shared library.
func (m *matcher) candidates(q query) []string {
	out := append([]string(nil), m.order...)
	for _, name := range guesses(q.base) {
		out = append(out, m.db.lists[name]...)
	}
	return out
}

// generated gives files no list names to the package that provides them.
func (m *matcher) generated(qs []query, owner map[string]string) []query {
	var left []query
	for _, q := range qs {
		name, ok := generated[q.canon]
		if !ok {
			name, ok = generated[q.path]
		}
		if lists := m.db.lists[name]; ok && len(lists) == 1 {
			owner[q.path] = lists[0]
			continue
		}
		left = append(left, q)
	}
	return left
}

// scan reads every list not read yet, and matches the queries left against
// those that mention one of their base names.
func (m *matcher) scan(qs []query, owner map[string]string) ([]query, error) {
	var all []string
	for _, files := range m.db.lists {
		all = append(all, files...)
	}
	sort.Strings(all)
	for _, list := range all {
		if _, done := m.loaded[list]; done || len(qs) == 0 {
			continue
		}
		data, err := os.ReadFile(m.db.infoPath(list))
		if err != nil {
			return nil, fmt.Errorf("reading the dpkg database: %w", err)
		}
		if !mentionsAny(data, qs) {
			continue
		}
		m.add(list, data)
		if qs, err = m.try(qs, owner, func(query) []string { return []string{list} }); err != nil {
			return nil, err
		}
	}
	return qs, nil
}

func mentionsAny(data []byte, qs []query) bool {
	for _, q := range qs {
		if bytes.Contains(data, []byte("/"+q.base+"\n")) {
			return true
		}
	}
	return false
}

// owns reports whether the list names q's file, reading the list first.
func (m *matcher) owns(list string, q query) (bool, error) {
	fl, ok := m.loaded[list]
	if !ok {
		data, err := os.ReadFile(m.db.infoPath(list))
		if err != nil {
			return false, fmt.Errorf("reading the dpkg database: %w", err)
		}
		fl = m.add(list, data)
	}
	for _, line := range fl[q.base] {
		if line == q.path || m.db.canonical(line) == q.canon {
			return true, nil
		}
	}
	return false, nil
}

func (m *matcher) add(list string, data []byte) fileList {
	if fl, ok := m.loaded[list]; ok {
		return fl
	}
	fl := fileList{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "/") {
			b := path.Base(line)
			fl[b] = append(fl[b], line)
		}
	}
	m.loaded[list] = fl
	m.order = append(m.order, list)
	return fl
}

// canonical is p with its directory resolved inside the root: on a merged
// /usr system the list may say /lib/x86_64-linux-gnu/libc.so.6 and the image
// /usr/lib/x86_64-linux-gnu/libc.so.6, or the other way round. The file
// itself is not resolved: dpkg lists a symlink and its target apart.
func (db *DB) canonical(p string) string {
	dir := path.Dir(p)
	c, ok := db.dirs[dir]
	if !ok {
		var err error
		if c, err = resolve(db.root, dir); err != nil {
			c = dir // not on disk: compare as written
		}
		db.dirs[dir] = c
	}
	return path.Join(c, path.Base(p))
}

func (db *DB) infoPath(list string) string {
	return hostPath(db.root, path.Join(Dir, "info", list))
}

// guesses are the package names Debian's library policy gives the shared
// object base: libssl.so.3 is in libssl3, libgcc_s.so.1 in libgcc-s1,
// libfoo2.so.1 in libfoo2-1; the loader is glibc's, libc6.
func guesses(base string) []string {
	if strings.HasPrefix(base, "ld-linux") || strings.HasPrefix(base, "ld64.so") {
		return []string{"libc6"}
	}
	stem, ver, ok := strings.Cut(base, ".so.")
	if !ok {
		return nil
	}
	ver, _, _ = strings.Cut(ver, ".")
	stem = strings.ToLower(strings.ReplaceAll(stem, "_", "-"))
	if stem == "" || ver == "" {
		return nil
	}
	if _, err := strconv.Atoi(stem[len(stem)-1:]); err == nil {
		return []string{stem + "-" + ver}
	}
	return []string{stem + ver}
}
