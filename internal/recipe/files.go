package recipe

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// extraFiles are read by cargo or rustup from the directory cargo runs in
// and its parents.
var extraFiles = []struct{ name, kind string }{
	{".cargo/config.toml", KindConfig},
	{".cargo/config", KindConfig},
	{"rust-toolchain.toml", KindToolchain},
	{"rust-toolchain", KindToolchain},
}

// extraFiles adds cargo config and toolchain files found in the workspace
// root and its parents up to the recipe root.
func (p *preparer) extraFiles(r *Recipe) error {
	for dir := p.ws.Root; ; dir = filepath.Dir(dir) {
		for _, f := range extraFiles {
			path := filepath.Join(dir, filepath.FromSlash(f.name))
			st, err := os.Stat(path)
			if err != nil || !st.Mode().IsRegular() {
				continue
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("reading %s: %w", path, err)
			}
			r.Files = append(r.Files, newFile(p.rel(path), f.kind, data))
		}
		if dir == p.base || filepath.Dir(dir) == dir {
			return nil
		}
	}
}

// vendored adds the real sources of [patch]/[replace] targets: they stand
// in for registry crates that other dependencies compile against.
func (p *preparer) vendored(r *Recipe) error {
	for _, pkg := range p.ws.Packages {
		if !pkg.Patched {
			continue
		}
		root := pkg.Dir()
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != root && (d.Name() == "target" || d.Name()[0] == '.' || exists(filepath.Join(path, "Cargo.toml"))) {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			r.Files = append(r.Files, newFile(p.rel(path), KindSource, data))
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading the sources of patched package %s: %w", pkg.Name, err)
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
