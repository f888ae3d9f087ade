package pipeline

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/internal/fileset"
	"github.com/berth-dev/berth/internal/pkgdb"
)

// StatusDir is where the image keeps one dpkg status paragraph per package,
// as distroless does (and Syft, Trivy and Grype read): a file named after
// the package, no architecture.
const StatusDir = "/var/lib/dpkg/status.d"

// addPackages makes the runtime files taken from root visible to scanners:
// for each Debian package owning one, its status paragraph and copyright
// file; the root's os-release; the files no package owns go to c.Unowned
// with their sha256. A root without a dpkg database gets a warning and
// every file in c.Unowned; a corrupt one stops the build.
func addPackages(set *fileset.Set, root, what string, c *Contents) error {
	distro, err := pkgdb.ReadDistro(root)
	if err != nil {
		return err
	}
	c.Distro = distro
	if distro != nil && !set.Has(distro.Path) {
		if err := set.Add(fileset.File{Path: distro.Path, Mode: 0o644, Data: distro.OSRelease}); err != nil {
			return err
		}
	}
	host, elsewhere := hostFiles(set, root)
	if err := addUnowned(c, elsewhere, slices.Sorted(maps.Keys(elsewhere))); err != nil {
		return err
	}
	db, err := pkgdb.Open(root)
	if errors.Is(err, pkgdb.ErrNoDatabase) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s is not Debian-based (no %s): the image carries no OS package records, so scanners will not see its libraries", what, path.Join(pkgdb.Dir, "status")))
		return addUnowned(c, host, slices.Sorted(maps.Keys(host)))
	}
	if err != nil {
		return err
	}
	paths := slices.Sorted(maps.Keys(host))
	if distro != nil {
		paths = append(paths, distro.Path)
	}
	pkgs, unowned, err := db.Owners(paths)
	if err != nil {
		return err
	}
	c.PackageDB, c.Packages = "dpkg", pkgs
	for _, p := range pkgs {
		if err := addRecord(set, db, p, c); err != nil {
			return err
		}
	}
	return addUnowned(c, host, unowned)
}

// addRecord adds a package's status paragraph, the md5sums of its files the
// image holds (distroless ships both) and its copyright file.
func addRecord(set *fileset.Set, db *pkgdb.DB, p pkgdb.Package, c *Contents) error {
	record := fileset.File{Path: path.Join(StatusDir, p.Name), Mode: 0o644, Data: p.Status}
	if err := set.Add(record); err != nil {
		return fmt.Errorf("recording package %s: %w", p.Name, err)
	}
	sums, err := db.MD5Sums(p)
	if err != nil {
		return err
	}
	if len(sums) > 0 {
		if err := set.Add(fileset.File{Path: record.Path + ".md5sums", Mode: 0o644, Data: sums}); err != nil {
			return err
		}
	}
	if p.Copyright == "" {
		return nil
	}
	text, err := db.ReadFile(p.Copyright)
	if err != nil {
		c.Warnings = append(c.Warnings, fmt.Sprintf("cannot read the copyright file of package %s (%v): the image ships %s without its license text", p.Name, err, p.Name))
		return nil
	}
	return set.Add(fileset.File{Path: path.Join("/usr/share/doc", p.Name, "copyright"), Mode: 0o644, Data: text})
}

// hostFiles are the set's files copied from root at the same path (image
// path -> host source) and its symlinks, which dpkg lists too; and the files
// copied from elsewhere (next to the binary through $ORIGIN, --include),
// which no package of root can own. Files berth writes are in neither.
func hostFiles(set *fileset.Set, root string) (inRoot, elsewhere map[string]string) {
	rootReal := root
	if root == "" {
		rootReal = "/"
	}
	if r, err := filepath.EvalSymlinks(rootReal); err == nil {
		rootReal = r
	}
	inRoot, elsewhere = map[string]string{}, map[string]string{}
	for _, f := range set.Files() {
		switch {
		case f.IsSymlink():
			inRoot[f.Path] = ""
		case !f.Mode.IsRegular() || f.Source == "":
		case filepath.Join(rootReal, f.Path) == f.Source:
			inRoot[f.Path] = f.Source
		default:
			elsewhere[f.Path] = f.Source
		}
	}
	return inRoot, elsewhere
}

// addUnowned records the regular files of paths with their sha256.
func addUnowned(c *Contents, host map[string]string, paths []string) error {
	for _, p := range paths {
		src := host[p]
		if src == "" {
			continue // a symlink, or a file berth wrote
		}
		f, err := pkgdb.Hash(p, src)
		if err != nil {
			return err
		}
		c.Unowned = append(c.Unowned, f)
	}
	return nil
}

// rootName names where opts' runtime files come from, for messages: the
// runtime image (not the cache directory it was extracted to), the
// sysroot, or this system.
func rootName(opts Options) string {
	switch {
	case opts.RuntimeFrom != "":
		return "the runtime image " + opts.RuntimeFrom
	case opts.Root == "" || opts.Root == "/":
		return "this system"
	}
	return "the sysroot " + opts.Root
}
