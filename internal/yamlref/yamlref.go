package yamlref

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Scheme starts a reference to a binary: berth://<bin> or
// berth://<package>/<bin>.
const Scheme = "berth://"

// Ref is one berth:// reference, where it was found.
type Ref struct {
	Package string // "" when the reference names the binary only
	Bin     string
	File    string
	Line    int
}

// Key is the reference without its scheme: "<bin>" or "<package>/<bin>";
// two references with one key are one binary.
func (r Ref) Key() string {
	if r.Package == "" {
		return r.Bin
	}
	return r.Package + "/" + r.Bin
}

// Pos is "file:line", for error messages.
func (r Ref) Pos() string { return fmt.Sprintf("%s:%d", r.File, r.Line) }

// File is one YAML file, possibly of several documents, with the
// references in it.
type File struct {
	Name string
	data []byte
	refs []located
}

// located is a reference and the byte range of its text (inside the quotes
// of a quoted scalar).
type located struct {
	Ref
	start, end int
}

// name is a cargo package or binary name (letters, digits, - and _).
var namePart = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)

// Parse reads data, named name in messages, and finds every scalar whose
// whole value is a berth:// reference (text with spaces that starts with
// berth:// is not one). A malformed reference is an error
// naming its line.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Name: name, data: data}
	lines := lineStarts(data)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		if err := f.walk(&doc, lines); err != nil {
			return nil, err
		}
	}
	sort.Slice(f.refs, func(i, j int) bool { return f.refs[i].start < f.refs[j].start })
	return f, nil
}

// walk collects the references under n; mapping keys are not references.
func (f *File) walk(n *yaml.Node, lines []int) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.HasPrefix(n.Value, Scheme) && !strings.ContainsAny(n.Value, " \t\r\n") {
		return f.add(n, lines)
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue
		}
		if err := f.walk(c, lines); err != nil {
			return err
		}
	}
	return nil
}

// add records the reference n holds, with the bytes of its text.
func (f *File) add(n *yaml.Node, lines []int) error {
	r := Ref{File: f.Name, Line: n.Line}
	rest := strings.TrimPrefix(n.Value, Scheme)
	pkg, bin, ok := strings.Cut(rest, "/")
	if !ok {
		pkg, bin = "", rest
	}
	if (pkg != "" && !namePart.MatchString(pkg)) || !namePart.MatchString(bin) {
		return fmt.Errorf("%s:%d: %q is not a reference to a binary: write berth://<bin> or berth://<package>/<bin>", f.Name, n.Line, n.Value)
	}
	r.Package, r.Bin = pkg, bin
	start, err := f.offset(lines, n)
	if err != nil {
		return err
	}
	// The node starts at its anchor or tag, if any, then its quote.
	lineEnd := bytes.IndexByte(f.data[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(f.data) - start
	}
	i := bytes.Index(f.data[start:start+lineEnd], []byte(n.Value))
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
	if i < 0 || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || (quoted && (i < 1 || !bytes.ContainsAny(f.data[start+i-1:start+i], "'\""))) {
		return fmt.Errorf("%s:%d: %s is written in a form berth cannot replace in place (an escape, a block scalar or a line break): write it on one line, plain or quoted", f.Name, n.Line, n.Value)
	}
	f.refs = append(f.refs, located{Ref: r, start: start + i, end: start + i + len(n.Value)})
	return nil
}

// offset is the byte offset of n's first character; yaml.v3 counts
// columns in characters.
func (f *File) offset(lines []int, n *yaml.Node) (int, error) {
	if n.Line < 1 || n.Line > len(lines) {
		return 0, fmt.Errorf("%s:%d: reference outside the file", f.Name, n.Line)
	}
	off := lines[n.Line-1]
	for i := 1; i < n.Column && off < len(f.data); i++ {
		_, size := utf8.DecodeRune(f.data[off:])
		off += size
	}
	return off, nil
}

// lineStarts is the byte offset at which each line starts.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// Refs are the file's references in the order they appear.
func (f *File) Refs() []Ref {
	out := make([]Ref, len(f.refs))
	for i, r := range f.refs {
		out[i] = r.Ref
	}
	return out
}

// Replace is the file with each reference replaced by images[ref.Key()];
// every other byte is kept. A reference with no image is an error.
func (f *File) Replace(images map[string]string) ([]byte, error) {
	var out bytes.Buffer
	last := 0
	for _, r := range f.refs {
		img, ok := images[r.Key()]
		if !ok {
			return nil, fmt.Errorf("%s: no image for %s%s", r.Pos(), Scheme, r.Key())
		}
		out.Write(f.data[last:r.start])
		out.WriteString(img)
		last = r.end
	}
	out.Write(f.data[last:])
	return out.Bytes(), nil
}

// Load reads the YAML files path names: a file, every .yaml and .yml file
// of a directory (not its subdirectories), in name order, or "-" for
// stdin.
func Load(path string, stdin io.Reader) ([]*File, error) {
	if path == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading YAML from stdin: %w", err)
		}
		f, err := Parse("<stdin>", data)
		return []*File{f}, err
	}
	names, err := yamlFiles(path)
	if err != nil {
		return nil, err
	}
	var files []*File
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", n, err)
		}
		f, err := Parse(n, data)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// yamlFiles is path, or the YAML files in it when it is a directory.
func yamlFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("-f %s: %w", path, err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", path, err)
	}
	var names []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			names = append(names, filepath.Join(path, e.Name()))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("-f %s: no .yaml or .yml file in this directory", path)
	}
	return names, nil
}

// Join is the files one after the other as one YAML stream: a document
// separator between two files unless the second starts with one.
func Join(parts [][]byte) []byte {
	var out bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
				out.WriteByte('\n')
			}
			if !bytes.HasPrefix(p, []byte("---")) {
				out.WriteString("---\n")
			}
		}
		out.Write(p)
	}
	return out.Bytes()
}
