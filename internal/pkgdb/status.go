package pkgdb

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"strings"
)

// statusFile is dpkg's status file cut into paragraphs, by package name.
type statusFile struct {
	byName map[string][][]byte
}

// paragraph returns the status paragraph of the installed package name
// (of architecture arch; "" for a package whose list has no architecture,
// such as an Architecture: all one), nil when it is known but not installed.
func (db *DB) paragraph(name, arch string) ([]byte, error) {
	file := hostPath(db.root, path.Join(Dir, "status"))
	if db.status == nil {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("reading the dpkg database: %w", err)
		}
		db.status = splitStatus(data)
	}
	var found [][]byte
	known := false
	for _, para := range db.status.byName[name] {
		f := fields(para)
		if arch != "" && f["Architecture"] != arch {
			continue
		}
		known = true
		if strings.HasSuffix(f["Status"], " installed") {
			found = append(found, para)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && known:
		return nil, nil // removed, its configuration files kept: owns nothing shipped
	case len(found) == 0:
		return nil, fmt.Errorf("dpkg database %s: %s has a file list but no paragraph in the status file; the database is inconsistent: run `dpkg --audit`", file, qualified(name, arch))
	default:
		return nil, fmt.Errorf("dpkg database %s: %s is installed %d times; the database is inconsistent: run `dpkg --audit`", file, qualified(name, arch), len(found))
	}
}

func qualified(name, arch string) string {
	if arch == "" {
		return name
	}
	return name + ":" + arch
}

// splitStatus cuts the status file at its blank lines, keeping each
// paragraph's bytes (final newline included) as dpkg wrote them.
func splitStatus(data []byte) *statusFile {
	s := &statusFile{byName: map[string][][]byte{}}
	for len(data) > 0 {
		end := bytes.Index(data, []byte("\n\n"))
		var para []byte
		if end < 0 {
			para, data = data, nil
		} else {
			para, data = data[:end+1], data[end+2:]
		}
		para = bytes.TrimLeft(para, "\n")
		if len(para) == 0 {
			continue
		}
		if !bytes.HasSuffix(para, []byte("\n")) {
			para = append(para[:len(para):len(para)], '\n')
		}
		name, _ := packageName(para)
		s.byName[name] = append(s.byName[name], para)
	}
	return s
}

// packageName is the Package field, read without parsing the whole paragraph.
func packageName(para []byte) (string, bool) {
	for _, line := range bytes.Split(para, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("Package:")); ok {
			return string(bytes.TrimSpace(v)), true
		}
	}
	return "", false
}

// fields parses a paragraph's single-line fields; continuation lines are
// skipped. It does not validate: parsePackage does, for the ones shipped.
func fields(para []byte) map[string]string {
	f := map[string]string{}
	for _, line := range strings.Split(string(para), "\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if ok {
			f[k] = strings.TrimSpace(v)
		}
	}
	return f
}

// parsePackage checks a status paragraph and describes its package.
func parsePackage(para []byte) (Package, error) {
	for i, line := range strings.Split(strings.TrimSuffix(string(para), "\n"), "\n") {
		if line == "" {
			return Package{}, fmt.Errorf("line %d of its paragraph is empty", i+1)
		}
		if line[0] != ' ' && line[0] != '\t' && !strings.Contains(line, ":") {
			return Package{}, fmt.Errorf("line %d of its paragraph is not a field: %q", i+1, line)
		}
	}
	f := fields(para)
	for _, k := range []string{"Package", "Version", "Architecture", "Status"} {
		if f[k] == "" {
			return Package{}, fmt.Errorf("its paragraph has no %s field", k)
		}
	}
	p := Package{Name: f["Package"], Version: f["Version"], Arch: f["Architecture"], Status: withoutField(para, "Conffiles")}
	if src := f["Source"]; src != "" {
		name, ver, _ := strings.Cut(src, " ")
		if name != p.Name {
			p.Source = name
		}
		ver = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(ver), "("), ")")
		if ver != p.Version {
			p.SourceVersion = ver
		}
	}
	return p, nil
}

// withoutField drops a field, continuation lines included: Conffiles names
// configuration files (/etc/ld.so.conf.d/...) an image does not hold, and
// scanners would list them as the package's files.
func withoutField(para []byte, name string) []byte {
	var out []byte
	skipping := false
	for _, line := range strings.SplitAfter(string(para), "\n") {
		if line == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			k, _, _ := strings.Cut(line, ":")
			skipping = k == name
		}
		if !skipping {
			out = append(out, line...)
		}
	}
	return out
}
