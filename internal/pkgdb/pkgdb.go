package pkgdb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// Package is an installed OS package that owns files of an image.
type Package struct {
	Name, Version, Arch   string // "libc6", "2.36-9+deb12u14", "amd64"
	Source, SourceVersion string // source package ("glibc"), "" if same as Name/Version
	// Status is the package's paragraph from the dpkg status file, as
	// distroless stores it in /var/lib/dpkg/status.d/<Name>; without its
	// Conffiles field, since the image holds none of them.
	Status []byte
	// Copyright is the path under the root of /usr/share/doc/<Name>/copyright,
	// "" if the package has none.
	Copyright string
	Files     []string // image paths of the closure files it owns, sorted
}

// File is a shipped file no package owns.
type File struct{ Path, SHA256 string }

// Distro is the operating system of a root, from its os-release file.
type Distro struct {
	ID, VersionID, VersionCodename, PrettyName string
	OSRelease                                  []byte // the file's bytes
	Path                                       string // the file read, under the root
}

// Dir is dpkg's database directory inside a root.
const Dir = "/var/lib/dpkg"

// ErrNoDatabase is returned by Open for a root without a dpkg database: a
// system that is not Debian-based.
var ErrNoDatabase = errors.New("no dpkg database")

// generated are files a package's scripts write, so that no file list names
// them, and the package that provides their content.
var generated = map[string]string{
	// update-ca-certificates writes it from ca-certificates' certificates.
	"/etc/ssl/certs/ca-certificates.crt": "ca-certificates",
}

// DB is the dpkg database of a root filesystem, read lazily: Owners opens
// only the file lists it needs.
type DB struct {
	root   string
	lists  map[string][]string // package name -> its list files ("libc6:amd64.list")
	status *statusFile         // parsed on first use
	dirs   map[string]string   // directory -> canonical directory, inside root
}

// Open finds the dpkg database of root ("" or "/" for this system). It
// returns an error wrapping ErrNoDatabase when root has none.
func Open(root string) (*DB, error) {
	statusPath := hostPath(root, path.Join(Dir, "status"))
	if _, err := os.Stat(statusPath); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", statusPath, ErrNoDatabase)
		}
		return nil, fmt.Errorf("reading the dpkg database: %w", err)
	}
	infoDir := hostPath(root, path.Join(Dir, "info"))
	entries, err := os.ReadDir(infoDir)
	if err != nil {
		return nil, fmt.Errorf("reading the dpkg database: %w", err)
	}
	db := &DB{root: root, lists: map[string][]string{}, dirs: map[string]string{}}
	for _, e := range entries {
		file := e.Name()
		stem, ok := strings.CutSuffix(file, ".list")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(stem, ":")
		db.lists[name] = append(db.lists[name], file)
	}
	return db, nil
}

// Owners finds the package of each path (absolute, inside the root, as in
// the image). It returns the owning packages sorted by name and
// architecture, and the paths no installed package owns, sorted.
func (db *DB) Owners(paths []string) ([]Package, []string, error) {
	owner, err := db.match(paths)
	if err != nil {
		return nil, nil, err
	}
	byList := map[string][]string{}
	var unowned []string
	for _, p := range paths {
		if l, ok := owner[p]; ok {
			byList[l] = append(byList[l], p)
		} else {
			unowned = append(unowned, p)
		}
	}
	var pkgs []Package
	for list, files := range byList {
		pkg, installed, err := db.pkg(list)
		if err != nil {
			return nil, nil, err
		}
		if !installed {
			unowned = append(unowned, files...)
			continue
		}
		sort.Strings(files)
		pkg.Files = files
		pkgs = append(pkgs, pkg)
	}
	sort.Slice(pkgs, func(i, j int) bool {
		if pkgs[i].Name != pkgs[j].Name {
			return pkgs[i].Name < pkgs[j].Name
		}
		return pkgs[i].Arch < pkgs[j].Arch
	})
	sort.Strings(unowned)
	return pkgs, unowned, nil
}

// pkg describes the package whose file list is list, if it is installed.
func (db *DB) pkg(list string) (Package, bool, error) {
	stem := strings.TrimSuffix(list, ".list")
	name, arch, _ := strings.Cut(stem, ":")
	para, err := db.paragraph(name, arch)
	if err != nil || para == nil {
		return Package{}, false, err
	}
	p, err := parsePackage(para)
	if err != nil {
		return Package{}, false, fmt.Errorf("dpkg database %s, package %s: %w; run `dpkg --audit` to check the database", hostPath(db.root, path.Join(Dir, "status")), stem, err)
	}
	copyright := path.Join("/usr/share/doc", name, "copyright")
	if _, err := resolve(db.root, copyright); err == nil {
		p.Copyright = copyright
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Package{}, false, fmt.Errorf("finding the copyright file of %s: %w", stem, err)
	}
	return p, true, nil
}

// ReadFile reads p inside the root, following symlinks inside the root: a
// package's Copyright, say.
func (db *DB) ReadFile(p string) ([]byte, error) {
	return readIn(db.root, p)
}
