package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/config"
)

// The docs' flags tables are checked against the commands' --help, both ways.
//
// A table is marked by the comment line just above it:
//
//	<!-- flags: cargo berth build -->         every flag of the command, and no other
//	<!-- flags: cargo berth build (some) -->  a selection: each must exist (the README)
//
// In a row's first cell each backticked `--name` or `-s/--name` (text may
// follow the name: `--base auto\|scratch\|REF`) is one documented flag; a row
// may hold several. Spans that do not start with a dash are ignored, and so is
// every other cell. -h/--help is never required, and a command's table need
// not repeat the flags every command takes (--timings), which the root's
// table documents; it may show them.

// docPages are the Markdown files whose flags tables are checked, relative to
// this package.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../../README.md"}, pages...)
}

// docFlag is a flag as a table documents it: its long name, and its
// shorthand or "".
type docFlag struct {
	long, short string
}

type flagsTable struct {
	page    string
	line    int
	command string // "cargo berth build"
	some    bool   // a selection, not every flag
	flags   []docFlag
}

var (
	flagsMarkerRE = regexp.MustCompile(`^<!--\s*flags:\s*(cargo berth(?: [a-z-]+)*)\s*(\(some\))?\s*-->$`)
	codeSpanRE    = regexp.MustCompile("`([^`]*)`")
	docFlagRE     = regexp.MustCompile(`^(?:-([A-Za-z0-9])/)?--([A-Za-z0-9][A-Za-z0-9-]*)`)
	helpFlagRE    = regexp.MustCompile(`^\s+(?:-([A-Za-z0-9]), )?--([A-Za-z0-9][A-Za-z0-9-]*)`)
)

// flagsTables reads the marked flags tables of a Markdown page.
func flagsTables(t *testing.T, page string) []flagsTable {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var tables []flagsTable
	for i := 0; i < len(lines); i++ {
		m := flagsMarkerRE.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		tab := flagsTable{page: page, line: i + 1, command: m[1], some: m[2] != ""}
		rows := 0
		for j := i + 1; j < len(lines) && strings.HasPrefix(lines[j], "|"); j++ {
			rows++
			if rows <= 2 { // header and separator
				continue
			}
			for _, span := range codeSpanRE.FindAllStringSubmatch(firstCell(lines[j]), -1) {
				if f := docFlagRE.FindStringSubmatch(span[1]); f != nil {
					tab.flags = append(tab.flags, docFlag{long: f[2], short: f[1]})
				}
			}
		}
		if rows < 3 {
			t.Errorf("%s:%d: the flags marker for %q is not followed by a table with rows", page, i+1, tab.command)
		}
		tables = append(tables, tab)
	}
	return tables
}

// firstCell is a table row's first cell; `\|` inside it is not a separator.
func firstCell(row string) string {
	row = strings.TrimPrefix(row, "|")
	for i := 0; i < len(row); i++ {
		if row[i] == '|' && (i == 0 || row[i-1] != '\\') {
			return row[:i]
		}
	}
	return row
}

// helpOutput runs `cargo berth <args> --help` in-process and returns stdout.
func helpOutput(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Main(context.Background(), append(args, "--help"), &out, &errb); code != 0 {
		t.Fatalf("cargo berth %s --help: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// helpSection returns the lines of a --help section ("Flags:") up to the
// next blank line.
func helpSection(help, title string) []string {
	_, rest, ok := strings.Cut(help, "\n"+title+"\n")
	if !ok {
		return nil
	}
	section, _, _ := strings.Cut(rest, "\n\n")
	return strings.Split(section, "\n")
}

// realFlags are the flags --help lists for a command, by long name with their
// shorthand: own are under "Flags:" (for the root, the ones every command
// inherits too), inherited under "Global Flags:"; help is left out.
func realFlags(t *testing.T, args []string) (own, inherited map[string]string) {
	t.Helper()
	help := helpOutput(t, args...)
	read := func(title string) map[string]string {
		flags := map[string]string{}
		for _, line := range helpSection(help, title) {
			if m := helpFlagRE.FindStringSubmatch(line); m != nil && m[2] != "help" {
				flags[m[2]] = m[1]
			}
		}
		return flags
	}
	own, inherited = read("Flags:"), read("Global Flags:")
	if len(own) == 0 {
		t.Fatalf("cargo berth %s --help lists no flags", strings.Join(args, " "))
	}
	return own, inherited
}

// commands are the subcommands `cargo berth --help` lists, without cobra's
// own (help, completion).
func commands(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, line := range helpSection(helpOutput(t), "Available Commands:") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] != "help" && f[0] != "completion" {
			names = append(names, f[0])
		}
	}
	if len(names) == 0 {
		t.Fatal("cargo berth --help lists no commands")
	}
	return names
}

// TestDocsFlags checks every marked flags table against the command's real
// flags, and that the root and every command have one complete table.
func TestDocsFlags(t *testing.T) {
	complete := map[string]bool{}
	for _, page := range docPages(t) {
		for _, tab := range flagsTables(t, page) {
			where := strings.TrimPrefix(tab.page, "../../")
			args := strings.Fields(strings.TrimPrefix(tab.command, "cargo berth"))
			real, inherited := realFlags(t, args)
			documented := map[string]bool{}
			for _, f := range tab.flags {
				documented[f.long] = true
				short, ok := real[f.long]
				if !ok {
					short, ok = inherited[f.long]
				}
				switch {
				case !ok:
					t.Errorf("%s:%d: the flags table of %q documents --%s, which the command does not have", where, tab.line, tab.command, f.long)
				case f.short != short && (f.short != "" || !tab.some):
					t.Errorf("%s:%d: the flags table of %q spells --%s with shorthand %q; the command's is %q (write `-%s/--%s`)", where, tab.line, tab.command, f.long, f.short, short, short, f.long)
				}
			}
			if tab.some {
				continue
			}
			if complete[tab.command] {
				t.Errorf("%s:%d: a second complete flags table of %q; mark selections `(some)`", where, tab.line, tab.command)
			}
			complete[tab.command] = true
			var missing []string
			for long := range real {
				if !documented[long] {
					missing = append(missing, "--"+long)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s:%d: the flags table of %q does not document %s: add a row, or the flag to a row", where, tab.line, tab.command, strings.Join(missing, ", "))
			}
		}
	}
	for _, name := range append([]string{""}, commands(t)...) {
		command := strings.TrimSpace("cargo berth " + name)
		if !complete[command] {
			t.Errorf("no page under docs/ has a complete flags table of %q: add one, marked <!-- flags: %s -->", command, command)
		}
	}
}

// TestDocsSettings checks the Cargo.toml block of docs/build.md against the
// settings berth reads (config.Build), both ways, and that each line names its
// BERTH_* variable.
func TestDocsSettings(t *testing.T) {
	const page = "../../docs/build.md"
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```toml\n[package.metadata.berth]\n")
	if !ok {
		t.Fatalf("docs/build.md has no ```toml block starting with [package.metadata.berth]")
	}
	block, _, _ := strings.Cut(rest, "```")
	documented := map[string]string{} // key -> its line
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		key, _, ok := strings.Cut(line, "=")
		if ok {
			documented[strings.TrimSpace(key)] = line
		}
	}
	typ := reflect.TypeOf(config.Build{})
	keys := map[string]bool{}
	for i := 0; i < typ.NumField(); i++ {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if key == "" || key == "-" {
			continue
		}
		keys[key] = true
		line, ok := documented[key]
		if !ok {
			t.Errorf("docs/build.md: the setting %q is missing from the Cargo.toml block", key)
			continue
		}
		if env := "BERTH_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_")); !strings.Contains(line, env) {
			t.Errorf("docs/build.md: the line of %q does not name %s: %s", key, env, line)
		}
	}
	for key := range documented {
		if !keys[key] {
			t.Errorf("docs/build.md: the Cargo.toml block shows %q, which is not a setting berth reads", key)
		}
	}
}
