package berth_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestDocsLinks checks every relative link in README.md and docs/*.md: the
// file it names exists and, for a link into a Markdown page, so does the
// heading its #anchor names (GitHub's slugs). It also checks that every page
// under docs/ is linked from the README, so none is left unreachable.
func TestDocsLinks(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"README.md"}, pages...)
	anchors := map[string]map[string]bool{} // page -> its headings' slugs
	anchorsOf := func(page string) (map[string]bool, error) {
		if a, ok := anchors[page]; ok {
			return a, nil
		}
		b, err := os.ReadFile(page)
		if err != nil {
			return nil, err
		}
		a := headingSlugs(string(b))
		anchors[page] = a
		return a, nil
	}
	linked := map[string]bool{}
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range markdownLinks(string(b)) {
			if strings.Contains(l.target, "://") || strings.HasPrefix(l.target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(l.target, "#")
			dest := page
			if path != "" {
				dest = filepath.Join(filepath.Dir(page), filepath.FromSlash(path))
				if _, err := os.Stat(dest); err != nil {
					t.Errorf("%s:%d: link %q: %s does not exist", page, l.line, l.target, dest)
					continue
				}
			}
			if page == "README.md" {
				linked[filepath.ToSlash(filepath.Clean(dest))] = true
			}
			if anchor == "" || !strings.HasSuffix(dest, ".md") {
				continue
			}
			a, err := anchorsOf(dest)
			if err != nil {
				t.Errorf("%s:%d: link %q: %v", page, l.line, l.target, err)
				continue
			}
			if !a[anchor] {
				t.Errorf("%s:%d: link %q: %s has no heading with the anchor #%s", page, l.line, l.target, dest, anchor)
			}
		}
	}
	for _, page := range pages[1:] {
		if !linked[filepath.ToSlash(page)] {
			t.Errorf("%s is not linked from README.md", page)
		}
	}
}

type mdLink struct {
	target string
	line   int
}

var (
	linkRE       = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	inlineCodeRE = regexp.MustCompile("`[^`]*`")
)

// markdownLinks returns the targets of the inline links of a Markdown text,
// leaving out code blocks and code spans.
func markdownLinks(text string) []mdLink {
	var links []mdLink
	fence := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
			continue
		}
		if fence {
			continue
		}
		line = inlineCodeRE.ReplaceAllString(line, "")
		for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
			links = append(links, mdLink{target: m[1], line: i + 1})
		}
	}
	return links
}

// headingSlugs returns the anchors GitHub gives the headings of a Markdown
// text: lower case, punctuation dropped, spaces as dashes, and -1, -2, ...
// after repeats.
func headingSlugs(text string) map[string]bool {
	slugs := map[string]bool{}
	seen := map[string]int{}
	fence := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
			continue
		}
		if fence || !strings.HasPrefix(line, "#") {
			continue
		}
		hashes := len(line) - len(strings.TrimLeft(line, "#"))
		title := strings.TrimSpace(line[hashes:])
		if hashes > 6 || !strings.HasPrefix(line[hashes:], " ") || title == "" {
			continue
		}
		slug := githubSlug(title)
		if n := seen[slug]; n > 0 {
			slugs[slug+"-"+strconv.Itoa(n)] = true
		} else {
			slugs[slug] = true
		}
		seen[slug]++
	}
	return slugs
}

func githubSlug(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestGithubSlug(t *testing.T) {
	for title, want := range map[string]string{
		"Multi-platform images: `--platform`, no emulation":     "multi-platform-images---platform-no-emulation",
		"Symbol versions: no \"GLIBC_2.39 not found\" at start": "symbol-versions-no-glibc_239-not-found-at-start",
		"`cargo berth stage`":                     "cargo-berth-stage",
		"Where the time goes: `--timings`":        "where-the-time-goes---timings",
		"Big binaries: streamed layers, parallel": "big-binaries-streamed-layers-parallel",
	} {
		if got := githubSlug(title); got != want {
			t.Errorf("githubSlug(%q) = %q, want %q", title, got, want)
		}
	}
}

// TestDocsNames checks the names the docs cite as code: a path under one of
// the repository's own top-level directories (`internal/recipe/skeleton_test.go`,
// `scripts/ci-setup.sh`) exists, and a test (`TestIncludeSymlinks`) is a
// function of some _test.go file. A renamed package or test then fails here,
// not in a reader's hands.
func TestDocsNames(t *testing.T) {
	tests := map[string]bool{}
	testFuncRE := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "target" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range testFuncRE.FindAllStringSubmatch(string(b), -1) {
				tests[m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pathRE := regexp.MustCompile(`^(?:internal|e2e|bench|scripts|cmd|examples|docs)/[\w./-]*[\w]$`)
	testRE := regexp.MustCompile(`\bTest[A-Z]\w*`)
	for _, page := range append([]string{"README.md"}, pages...) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, span := range codeSpanRE.FindAllStringSubmatch(string(b), -1) {
			for _, word := range strings.Fields(span[1]) {
				// e2e/TestName names a test of a directory.
				if dir, _, ok := strings.Cut(word, "/Test"); ok {
					word = dir
				}
				if pathRE.MatchString(word) && !strings.Contains(word, "/target/") {
					if _, err := os.Stat(word); err != nil {
						t.Errorf("%s cites %s, which does not exist", page, word)
					}
				}
			}
		}
		for _, name := range testRE.FindAllString(string(b), -1) {
			if !tests[name] && name != "TestDocs" { // TestDocs: a -run pattern
				t.Errorf("%s cites %s, which is no test function", page, name)
			}
		}
	}
}

var codeSpanRE = regexp.MustCompile("`([^`]*)`")

// TestReadmeMeasuredTables keeps the README's headline measurements the same
// as docs/performance.md's: each table row under the README's "## Measured"
// must be a line of docs/performance.md, so a new run updates both or fails.
func TestReadmeMeasuredTables(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	perf, err := os.ReadFile("docs/performance.md")
	if err != nil {
		t.Fatal(err)
	}
	_, measured, ok := strings.Cut(string(readme), "\n## Measured\n")
	if !ok {
		t.Fatal(`README.md has no "## Measured" section`)
	}
	measured, _, _ = strings.Cut(measured, "\n## ")
	lines := map[string]bool{}
	for _, l := range strings.Split(string(perf), "\n") {
		lines[l] = true
	}
	rows := 0
	for _, l := range strings.Split(measured, "\n") {
		if strings.HasPrefix(l, "|") {
			rows++
			if !lines[l] {
				t.Errorf("README.md's row is not in docs/performance.md: %s", l)
			}
		}
	}
	if rows == 0 {
		t.Error(`README.md's "## Measured" section has no table`)
	}
}
