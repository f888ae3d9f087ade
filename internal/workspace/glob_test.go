package workspace

import (
	"strings"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "", true},
		{"*", ".hidden", true}, // the glob crate's default: no literal leading dot
		{"svc-*", "svc-a", true},
		{"svc-*", "svc", false},
		{"?", "a", true},
		{"?", "ab", false},
		{"?", "é", true},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"[!a-c]x", "dx", true},
		{"[!a-c]x", "ax", false},
		{"[^a]", "^", true}, // '^' is not a negation, only '!' is
		{"[^a]", "b", false},
		{"[]]", "]", true},
		{"[!]]", "a", true},
		{"[ab-]", "-", true},
		{`a\b`, `a\b`, true}, // no escapes
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
	}
	for _, c := range cases {
		t.Run(c.pattern+" "+c.name, func(t *testing.T) {
			tokens, _, err := parseGlob(c.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := matchGlob(tokens, c.name); got != c.want {
				t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
			}
		})
	}
}

func TestGlobPatternErrors(t *testing.T) {
	cases := []struct{ pattern, want string }{
		{"a/***", "wildcards are either regular `*` or recursive `**`"},
		{"a**", "recursive wildcards must form a single path component"},
		{"**a", "recursive wildcards must form a single path component"},
		{"a/**b/c", "recursive wildcards must form a single path component"},
		{"[ab", "invalid range pattern"},
		{"[!a", "invalid range pattern"},
		{"a[/]b", "invalid range pattern"}, // valid as a whole, not per component
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			_, err := compileGlob(c.pattern)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}
