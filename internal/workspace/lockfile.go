package workspace

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// LockedPackage is one [[package]] entry of Cargo.lock.
type LockedPackage struct {
	Name         string   `toml:"name"`
	Version      string   `toml:"version"`
	Source       string   `toml:"source"`
	Checksum     string   `toml:"checksum"`
	Dependencies []string `toml:"dependencies"`
}

// Lockfile is the part of Cargo.lock berth reads.
type Lockfile struct {
	Version  int             `toml:"version"`
	Packages []LockedPackage `toml:"package"`
}

// ParseLockfile decodes Cargo.lock; name is used in errors.
func ParseLockfile(name string, data []byte) (*Lockfile, error) {
	if _, err := DecodeTOML(name, data); err != nil {
		return nil, err
	}
	var lf Lockfile
	if err := toml.Unmarshal(data, &lf); err != nil {
		return nil, fmt.Errorf("%s: %w; regenerate it with `cargo generate-lockfile`", name, err)
	}
	return &lf, nil
}

var (
	lockHeader  = regexp.MustCompile(`^\s*\[`)
	lockKeyLine = regexp.MustCompile(`^(\s*)(name|version|source)(\s*=\s*)"([^"]*)"(.*)$`)
	lockDepLine = regexp.MustCompile(`^(\s*")([^" ]+) ([^" ]+)(".*)$`)
)

// MaskLockfile rewrites Cargo.lock so the local packages named in masked (no
// `source` line) have version "0.0.0", as do references to them in
// `dependencies` arrays. Every other byte is kept.
func MaskLockfile(data []byte, masked map[string]bool) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	local := map[string]string{} // name -> real version of masked entries
	for _, b := range lockBlocks(lines) {
		if b.source || !masked[b.name] || b.versionLine < 0 {
			continue
		}
		local[b.name] = b.version
		m := lockKeyLine.FindStringSubmatch(strings.TrimRight(lines[b.versionLine], "\r\n"))
		lines[b.versionLine] = m[1] + m[2] + m[3] + `"0.0.0"` + m[5] + lineEnd(lines[b.versionLine])
	}
	for i, line := range lines {
		m := lockDepLine.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		if m == nil {
			continue
		}
		if v, ok := local[m[2]]; ok && v == m[3] {
			lines[i] = m[1] + m[2] + " 0.0.0" + m[4] + lineEnd(line)
		}
	}
	var buf bytes.Buffer
	for _, l := range lines {
		buf.WriteString(l)
	}
	return buf.Bytes()
}

func lineEnd(line string) string {
	return line[len(strings.TrimRight(line, "\r\n")):]
}

type lockBlock struct {
	name, version string
	versionLine   int
	source        bool
	// start is the [[package]] line, end the next table header (or the
	// end of the file): the block's lines are [start, end).
	start, end int
}

// lockBlocks finds the [[package]] blocks of a lockfile's lines.
func lockBlocks(lines []string) []lockBlock {
	var out []lockBlock
	var cur *lockBlock
	for i, line := range lines {
		if lockHeader.MatchString(line) {
			if cur != nil {
				cur.end = i
				out = append(out, *cur)
				cur = nil
			}
			if strings.TrimSpace(line) == "[[package]]" {
				cur = &lockBlock{versionLine: -1, start: i}
			}
			continue
		}
		m := lockKeyLine.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		if cur == nil || m == nil || m[1] != "" {
			continue
		}
		switch m[2] {
		case "name":
			cur.name = m[4]
		case "version":
			cur.version, cur.versionLine = m[4], i
		case "source":
			cur.source = true
		}
	}
	if cur != nil {
		cur.end = len(lines)
		out = append(out, *cur)
	}
	return out
}
