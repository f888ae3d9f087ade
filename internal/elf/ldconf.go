package elf

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ldSoConf is the file ldconfig starts from; the binary cache it produces
// (/etc/ld.so.cache) is not read: the directories it was built from give the
// same answer in the same order, and work for a sysroot that never ran ldconfig.
const ldSoConf = "/etc/ld.so.conf"

// maxIncludeDepth stops include loops (a.conf includes b.conf includes a.conf).
const maxIncludeDepth = 16

// readLdSoConf returns the library directories listed by /etc/ld.so.conf and
// the files it includes, in order and deduplicated, all inside root. A missing
// file yields no directories, as for ld.so.
func readLdSoConf(root string) ([]string, error) {
	c := &confReader{root: root, seen: map[string]bool{}}
	if err := c.read(ldSoConf, 0); err != nil {
		return nil, err
	}
	return c.dirs, nil
}

type confReader struct {
	root string
	dirs []string
	seen map[string]bool
}

func (c *confReader) read(name string, depth int) error {
	if depth > maxIncludeDepth {
		return fmt.Errorf("%s: includes nest deeper than %d levels; check for an include loop", name, maxIncludeDepth)
	}
	f, err := os.Open(hostPath(c.root, name))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading ld.so configuration: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if err := c.line(name, line, depth); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", hostPath(c.root, name), err)
	}
	return nil
}

func (c *confReader) line(name, line string, depth int) error {
	fields := strings.Fields(line)
	switch {
	case len(fields) == 0:
		return nil
	case fields[0] == "include":
		for _, pattern := range fields[1:] {
			if err := c.include(name, pattern, depth); err != nil {
				return err
			}
		}
		return nil
	case fields[0] == "hwcap":
		return nil // obsolete, ignored by ldconfig since glibc 2.37 and unused by ld.so
	}
	// Old syntax allowed "dir=TYPE"; ldconfig strips the type.
	dir, _, _ := strings.Cut(line, "=")
	dir = path.Clean(strings.TrimSpace(dir))
	if path.IsAbs(dir) && !c.seen[dir] {
		c.seen[dir] = true
		c.dirs = append(c.dirs, dir)
	}
	return nil
}

// include expands a glob the way ldconfig does: a relative pattern is relative
// to the directory of the file that includes it; matches are read sorted.
func (c *confReader) include(name, pattern string, depth int) error {
	if !path.IsAbs(pattern) {
		pattern = path.Join(path.Dir(name), pattern)
	}
	matches, err := filepath.Glob(filepath.Join(globEscape(c.root), filepath.FromSlash(pattern)))
	if err != nil {
		return fmt.Errorf("%s: bad include pattern %q: %w", name, pattern, err)
	}
	for _, m := range matches {
		rel, err := filepath.Rel(c.root, m)
		if err != nil {
			return fmt.Errorf("%s: include %s: %w", name, m, err)
		}
		if err := c.read("/"+filepath.ToSlash(rel), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// globEscape quotes the metacharacters of a literal path (the root) so that
// only the include pattern is expanded.
func globEscape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
