package audit

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

var (
	// crateName is what cargo accepts as a package name.
	crateName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// semver is a version as cargo writes it (semver 2.0).
	semver = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
)

// sourceKinds are the values of a crate's source SourceKind gives.
var sourceKinds = []string{cratesIO, "git", "local", "registry", "other"}

// Check reports whether crates is a list Graph.Crates could have made:
// names cargo accepts, semver versions, known source kinds, licenses of one
// plain line, one root, and dependency indices sorted, in range and not the
// crate's own. A list read back from a cache, or from a binary, goes into
// the SBOM and the .dep-v0 section only when it passes.
func Check(crates []Crate) error {
	roots := 0
	for i, c := range crates {
		if err := checkCrate(c, i, len(crates)); err != nil {
			return fmt.Errorf("crate %d (%q %q): %w", i, c.Name, c.Version, err)
		}
		if c.Root {
			roots++
		}
	}
	if roots != 1 {
		return fmt.Errorf("the list has %d root crates, want 1", roots)
	}
	return nil
}

func checkCrate(c Crate, i, n int) error {
	switch {
	case !crateName.MatchString(c.Name):
		return fmt.Errorf("not a crate name")
	case !semver.MatchString(c.Version):
		return fmt.Errorf("not a semver version")
	case !slices.Contains(sourceKinds, c.Source):
		return fmt.Errorf("source %q is not one of %s", c.Source, strings.Join(sourceKinds, ", "))
	case strings.IndexFunc(c.License, unicode.IsControl) >= 0:
		return fmt.Errorf("the license holds a control character")
	}
	for k, d := range c.Deps {
		if d < 0 || d >= n || d == i || k > 0 && d <= c.Deps[k-1] {
			return fmt.Errorf("dependency index %d is out of range, its own, or out of order", d)
		}
	}
	return nil
}
