package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Workspace `members` and `default-members` entries are expanded the way
// cargo does it: with the glob crate (default MatchOptions), on the string
// "<workspace root>/<entry>". That differs from Go's filepath.Glob: `**` as
// a whole path component matches zero or more directories, `[!...]` (not
// `[^...]`) negates a class, a backslash is a plain character, `*` and `?`
// match a leading dot, and a malformed pattern (`a**`, `***`, `[ab`) is an
// error. `exclude` entries are never globs: cargo compares them as path
// prefixes (see isExcluded).

// globToken is one element of a compiled pattern component.
type globToken struct {
	op     byte // 'c' literal char, '?' any char, '*' any sequence, '[' class
	ch     rune
	ranges [][2]rune // for '[': inclusive ranges
	negate bool      // for '[': [!...]
}

// globComponent is one path component of a pattern.
type globComponent struct {
	tokens    []globToken
	recursive bool   // the component is exactly "**"
	literal   string // set when the component has no metacharacters
	isLiteral bool
}

// parseGlob compiles a pattern the way the glob crate's Pattern::new does,
// returning its tokens and whether it holds a valid `**`.
func parseGlob(pat string) ([]globToken, bool, error) {
	chars := []rune(pat)
	var tokens []globToken
	recursive := false
	for i := 0; i < len(chars); {
		switch c := chars[i]; c {
		case '?':
			tokens = append(tokens, globToken{op: '?'})
			i++
		case '*':
			start := i
			for i < len(chars) && chars[i] == '*' {
				i++
			}
			switch n := i - start; {
			case n > 2:
				return nil, false, fmt.Errorf("wildcards are either regular `*` or recursive `**` (near position %d)", start+2)
			case n == 2:
				if start > 0 && chars[start-1] != '/' {
					return nil, false, fmt.Errorf("recursive wildcards must form a single path component (near position %d)", start-1)
				}
				if i < len(chars) && chars[i] != '/' {
					return nil, false, fmt.Errorf("recursive wildcards must form a single path component (near position %d)", i)
				}
				if i < len(chars) {
					i++ // the '/' belongs to the `**`
				}
				recursive = true
				tokens = append(tokens, globToken{op: '*'})
			default:
				tokens = append(tokens, globToken{op: '*'})
			}
		case '[':
			tok, next, ok := parseClass(chars, i)
			if !ok {
				return nil, false, fmt.Errorf("invalid range pattern (near position %d)", i)
			}
			tokens = append(tokens, tok)
			i = next
		default:
			tokens = append(tokens, globToken{op: 'c', ch: c})
			i++
		}
	}
	return tokens, recursive, nil
}

// parseClass parses "[...]" or "[!...]" at chars[i]. As in the glob crate, a
// ']' right after "[" or "[!" is part of the set, and "a-z" is a range.
func parseClass(chars []rune, i int) (globToken, int, bool) {
	negate := i+1 < len(chars) && chars[i+1] == '!'
	first := i + 1 // first character of the set
	if negate {
		first++
	}
	if first+1 > len(chars) {
		return globToken{}, 0, false
	}
	end := -1
	for j := first + 1; j < len(chars); j++ {
		if chars[j] == ']' {
			end = j
			break
		}
	}
	if end < 0 {
		return globToken{}, 0, false
	}
	set := chars[first:end]
	var ranges [][2]rune
	for k := 0; k < len(set); {
		if k+2 < len(set) && set[k+1] == '-' {
			ranges = append(ranges, [2]rune{set[k], set[k+2]})
			k += 3
			continue
		}
		ranges = append(ranges, [2]rune{set[k], set[k]})
		k++
	}
	return globToken{op: '[', ranges: ranges, negate: negate}, end + 1, true
}

// matchGlob reports whether name matches tokens (one path component).
func matchGlob(tokens []globToken, name string) bool {
	if len(tokens) == 0 {
		return name == ""
	}
	t := tokens[0]
	if t.op == '*' {
		for i := 0; ; {
			if matchGlob(tokens[1:], name[i:]) {
				return true
			}
			if i == len(name) {
				return false
			}
			_, size := utf8.DecodeRuneInString(name[i:])
			i += size
		}
	}
	if name == "" {
		return false
	}
	r, size := utf8.DecodeRuneInString(name)
	ok := true
	switch t.op {
	case 'c':
		ok = r == t.ch
	case '[':
		in := false
		for _, rg := range t.ranges {
			in = in || (r >= rg[0] && r <= rg[1])
		}
		ok = in != t.negate
	}
	return ok && matchGlob(tokens[1:], name[size:])
}

// compileGlob splits a pattern into compiled path components, validating the
// whole pattern first as the glob crate does. Empty components ("a//b", a
// trailing '/') are dropped: the glob crate treats them as the same path.
func compileGlob(pat string) ([]globComponent, error) {
	if _, _, err := parseGlob(pat); err != nil {
		return nil, err
	}
	var comps []globComponent
	for _, part := range strings.Split(pat, "/") {
		if part == "" {
			continue
		}
		tokens, recursive, err := parseGlob(part)
		if err != nil {
			return nil, err
		}
		c := globComponent{tokens: tokens, recursive: recursive}
		if !strings.ContainsAny(part, "*?[") {
			c.literal, c.isLiteral = part, true
		}
		comps = append(comps, c)
	}
	return comps, nil
}

// globPaths returns the existing paths (files or directories) that match the
// absolute pattern pat, in the glob crate's order: depth-first, each
// directory's entries sorted by name.
func globPaths(pat string) ([]string, error) {
	if !filepath.IsAbs(pat) {
		return nil, fmt.Errorf("internal error: glob %q is not absolute", pat)
	}
	comps, err := compileGlob(pat)
	if err != nil {
		return nil, err
	}
	var out []string
	globWalk("/", comps, &out)
	for i, p := range out {
		out[i] = filepath.Clean(p)
	}
	return out, nil
}

// globWalk appends to out every path below base that matches comps.
func globWalk(base string, comps []globComponent, out *[]string) {
	if len(comps) == 0 {
		*out = append(*out, base)
		return
	}
	c := comps[0]
	switch {
	case c.recursive:
		rest := comps[1:]
		for len(rest) > 0 && rest[0].recursive {
			rest = rest[1:] // "**/**" is "**"
		}
		globRecursive(base, rest, out, map[string]bool{realPath(base): true})
	case c.isLiteral:
		next := filepath.Join(base, c.literal)
		if c.literal == "." || c.literal == ".." {
			next = base + "/" + c.literal
			if !isDir(base) {
				return
			}
		} else if !exists(next) {
			return
		}
		globWalk(next, comps[1:], out)
	default:
		names := dirNames(base)
		if len(names) > 0 && c.tokens[0].op == 'c' && c.tokens[0].ch == '.' {
			// Like the glob crate, a pattern with a leading dot also
			// matches the "." and ".." entries readdir leaves out.
			for _, special := range []string{".", ".."} {
				if matchGlob(c.tokens, special) {
					globWalk(base+"/"+special, comps[1:], out)
				}
			}
		}
		for _, name := range names {
			if matchGlob(c.tokens, name) {
				globWalk(filepath.Join(base, name), comps[1:], out)
			}
		}
	}
}

// globRecursive matches `**` followed by rest below base: every directory
// below base (not base itself) matches `**`, and every entry below base is
// tried against rest (`**` matching zero directories included). Symlinked
// directories are followed, like cargo's glob crate, but not into a
// directory that is already among their ancestors (ancestors holds their
// real paths), where the glob crate would loop for ever.
func globRecursive(base string, rest []globComponent, out *[]string, ancestors map[string]bool) {
	for _, name := range dirNames(base) {
		p := filepath.Join(base, name)
		dir := isDir(p)
		if len(rest) == 0 {
			if dir {
				*out = append(*out, p)
			}
		} else if rest[0].recursive || matchGlob(rest[0].tokens, name) {
			globWalk(p, rest[1:], out)
		}
		if real := realPath(p); dir && !ancestors[real] {
			ancestors[real] = true
			globRecursive(p, rest, out, ancestors)
			delete(ancestors, real)
		}
	}
}

// realPath is p with every symlink resolved, or p when that fails.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// dirNames lists a directory's entries sorted by name; nil if it is not a
// readable directory.
func dirNames(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if utf8.ValidString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
