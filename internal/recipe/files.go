package recipe

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// extraFiles adds the cargo config and toolchain files a build at the
// workspace root reads from inside the context.
func (p *preparer) extraFiles(r *Recipe) error {
	for _, f := range p.ws.BuildFiles() {
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", f.Path, err)
		}
		kind := KindConfig
		if f.Toolchain {
			kind = KindToolchain
		}
		r.Files = append(r.Files, newFile(p.rel(f.Path), kind, data))
	}
	return nil
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
