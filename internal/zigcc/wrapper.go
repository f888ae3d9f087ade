package zigcc

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Command is the first argument of berth re-executed by a wrapper script:
// cmd/cargo-berth hands such a run to Main before any command parsing.
const Command = "__zig-cc"

// Linker is what Prepare made for one target: the scripts cargo runs, and
// the environment that tells cargo and the cc crate to use them.
type Linker struct {
	CC, CXX string
	Env     []string
}

// Prepare writes the wrapper scripts of triple (glibc as in ForTriple) that
// re-execute self (berth's own executable) as `self __zig-cc`, with zig z,
// under dir (cache dir when "", see Dir). Their directory is named by the
// hash of their content, so that the same berth, zig and target always give
// the same paths: cargo (and the cc crate, which reruns build scripts when
// CC_<target> changes) see an unchanged linker between cook and stage, and a
// different glibc or zig gives different paths, which cargo notices.
func Prepare(z Zig, triple, glibc, self, dir string) (Linker, error) {
	t, err := ForTriple(triple, glibc)
	if err != nil {
		return Linker{}, err
	}
	if dir == "" {
		if dir, err = Dir(); err != nil {
			return Linker{}, err
		}
	}
	cc, cxx := script(self, "cc", t, z), script(self, "c++", t, z)
	sum := sha256.Sum256([]byte(cc + cxx))
	dir = filepath.Join(dir, hex.EncodeToString(sum[:6]))
	l := Linker{CC: filepath.Join(dir, t.Zig+"-cc"), CXX: filepath.Join(dir, t.Zig+"-c++")}
	for path, body := range map[string]string{l.CC: cc, l.CXX: cxx} {
		if err := writeScript(path, body); err != nil {
			return Linker{}, fmt.Errorf("writing the zig linker wrapper: %w", err)
		}
	}
	under := strings.ToUpper(strings.ReplaceAll(triple, "-", "_"))
	lower := strings.ReplaceAll(triple, "-", "_")
	l.Env = []string{"CARGO_TARGET_" + under + "_LINKER=" + l.CC, "CC_" + lower + "=" + l.CC, "CXX_" + lower + "=" + l.CXX}
	return l, nil
}

// Dir is where Prepare writes by default: berth/zig in the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache; ~/Library/Caches on macOS).
func Dir() (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a directory for the zig linker wrapper: %w; set XDG_CACHE_HOME (or HOME)", err)
	}
	return filepath.Join(c, "berth", "zig"), nil
}

// script is the wrapper's text: a shell script, since cargo takes a linker
// path and no arguments, that hands everything to berth.
func script(self, mode string, t Target, z Zig) string {
	words := []string{quote(self), Command, mode, quote(t.Triple + glibcSuffix(t))}
	for _, a := range z.Argv {
		words = append(words, quote(a))
	}
	return "#!/bin/sh\n# Written by cargo-berth --zig: `zig " + mode + " -target " + t.Zig +
		"` with rustc's arguments fixed for zig (docs/zig-and-macos.md).\nexec " +
		strings.Join(words, " ") + ` -- "$@"` + "\n"
}

func glibcSuffix(t Target) string {
	if _, v, ok := strings.Cut(t.Zig, "."); ok {
		return "." + v
	}
	return ""
}

// quote is s in single quotes for sh.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// writeScript writes body at path unless it is there already, by rename so
// that a parallel berth never runs half a script.
func writeScript(path, body string) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == body {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.WriteString(body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o755)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
