package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Manifest is one Cargo.toml: where it is and its whole TOML tree, so keys
// berth does not understand survive a round trip.
type Manifest struct {
	// Path is the absolute path of the Cargo.toml.
	Path string
	// Raw is the decoded document; tables are map[string]any.
	Raw map[string]any
}

// Dir is the directory holding the manifest.
func (m *Manifest) Dir() string { return filepath.Dir(m.Path) }

// ReadManifest reads and decodes the Cargo.toml at path. A syntax error names
// the file, line, column and key.
func ReadManifest(path string) (*Manifest, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", path, err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	raw, err := DecodeTOML(abs, data)
	if err != nil {
		return nil, err
	}
	return &Manifest{Path: abs, Raw: raw}, nil
}

// DecodeTOML decodes a TOML document; name is used in errors, which carry
// name:line:col and the key being decoded.
func DecodeTOML(name string, data []byte) (map[string]any, error) {
	var raw map[string]any
	err := toml.Unmarshal(data, &raw)
	if err == nil {
		if raw == nil {
			raw = map[string]any{}
		}
		return raw, nil
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		key := ""
		if k := strings.Join(de.Key(), "."); k != "" {
			key = fmt.Sprintf(" (key %q)", k)
		} else if k := keyAt(data, row); k != "" {
			key = fmt.Sprintf(" (key %q)", k)
		}
		return nil, fmt.Errorf("%s:%d:%d: invalid TOML%s: %s; fix the file and retry", name, row, col, key, de.Error())
	}
	return nil, fmt.Errorf("%s: invalid TOML: %w", name, err)
}

// EncodeTOML encodes a decoded document deterministically: keys sorted,
// tables in standard (not inline) form.
func EncodeTOML(raw map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(false)
	if err := enc.Encode(raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Table returns the table at the dotted path of keys, or nil.
func Table(raw map[string]any, keys ...string) map[string]any {
	cur := raw
	for _, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

// stringAt returns raw[key] if it is a string.
func stringAt(raw map[string]any, key string) (string, bool) {
	s, ok := raw[key].(string)
	return s, ok
}

// boolAt returns raw[key] if it is a bool.
func boolAt(raw map[string]any, key string) (value, set bool) {
	b, ok := raw[key].(bool)
	return b, ok
}

// Strings returns raw[key] as a list of strings (nil if absent).
func Strings(raw map[string]any, key string) []string {
	list, _ := raw[key].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// tablesAt returns raw[key] as an array of tables ([[bin]] and friends), and
// whether the key is present at all.
func tablesAt(raw map[string]any, key string) ([]map[string]any, bool) {
	v, present := raw[key]
	if !present {
		return nil, false
	}
	var out []map[string]any
	switch list := v.(type) {
	case []any:
		for _, e := range list {
			if t, ok := e.(map[string]any); ok {
				out = append(out, t)
			}
		}
	case []map[string]any:
		out = list
	}
	return out, true
}

// firstOf returns the value of the first key present: cargo accepts both
// kebab-case and the older snake_case spelling of several keys.
func firstOf(raw map[string]any, keys ...string) (any, bool) {
	for _, k := range keys {
		if v, ok := raw[k]; ok {
			return v, true
		}
	}
	return nil, false
}

// keyAt guesses the dotted key being defined at line row (1-based) for a
// syntax error, which go-toml reports without one: the nearest table header
// above it and the key before the line's '='.
func keyAt(data []byte, row int) string {
	lines := strings.Split(string(data), "\n")
	if row < 1 || row > len(lines) {
		return ""
	}
	table := ""
	for _, l := range lines[:row-1] {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
			table = strings.Trim(l, "[] ")
		}
	}
	key, _, found := strings.Cut(lines[row-1], "=")
	key = strings.TrimSpace(key)
	if !found || key == "" || strings.HasPrefix(key, "[") {
		return table
	}
	if table == "" {
		return key
	}
	return table + "." + key
}
