package config

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Validate checks, before any work, the values whose mistakes would not
// fail later or would fail only after a build: the user, whose empty value
// made an image that runs as root, the SBOM format, exposed ports, the names
// of env and labels, and the form of includes. It writes exposed ports in
// their normal form (8080/tcp, ranges expanded; see NormalPorts). Errors
// name the value's source.
func (r *Resolved) Validate() error {
	if r.User != nil {
		if err := ValidUser(*r.User); err != nil {
			return r.bad("user", *r.User, err)
		}
	}
	if r.SBOM != nil && !slices.Contains(SBOMFormats, *r.SBOM) {
		return r.bad("sbom", *r.SBOM, fmt.Errorf("want one of %s", strings.Join(SBOMFormats, ", ")))
	}
	if r.Provenance != nil && !slices.Contains(ProvenanceKinds, *r.Provenance) {
		return r.bad("provenance", *r.Provenance, fmt.Errorf("want one of %s", strings.Join(ProvenanceKinds, ", ")))
	}
	if r.Expose != nil {
		ports, err := NormalPorts(r.Expose)
		if err != nil {
			return fmt.Errorf("expose (from %s): %w", r.Origin("expose"), err)
		}
		r.Expose = ports
	}
	if err := checkPairs("environment variable", r.Env); err != nil {
		return fmt.Errorf("env (from %s): %w", r.Origin("env"), err)
	}
	if err := checkPairs("label", r.Labels); err != nil {
		return fmt.Errorf("labels (from %s): %w", r.Origin("labels"), err)
	}
	for _, inc := range r.Include {
		if err := ValidInclude(inc); err != nil {
			return r.bad("include", inc, err)
		}
	}
	return nil
}

// ValidInclude checks the form of an include, SRC:/DEST: a source and an
// absolute destination (a relative one has no meaning in an image, which
// has no working directory to be relative to).
func ValidInclude(inc string) error {
	src, dest, ok := strings.Cut(inc, ":")
	switch {
	case !ok || src == "":
		return fmt.Errorf("want HOST_PATH:/ABSOLUTE/IMAGE/PATH")
	case !path.IsAbs(dest):
		return fmt.Errorf("the destination %q is relative: write where it goes in the image as an absolute path, such as %s:/%s", dest, src, strings.TrimLeft(dest, "./"))
	case strings.ContainsRune(inc, 0):
		return fmt.Errorf("holds a NUL byte")
	}
	return nil
}

// ValidLibraryPaths checks --library-path values: absolute directories, as
// they are searched inside the root and written into LD_LIBRARY_PATH,
// where a relative one would mean the container's working directory.
func ValidLibraryPaths(dirs []string) error {
	for _, d := range dirs {
		if !path.IsAbs(d) {
			return fmt.Errorf("--library-path %q is relative: give the absolute directory the libraries have in the image (and under --sysroot), such as /%s", d, strings.TrimLeft(d, "./"))
		}
		if strings.ContainsAny(d, ":\x00") {
			return fmt.Errorf("--library-path %q holds \":\" or NUL, which LD_LIBRARY_PATH cannot carry: give one directory per flag", d)
		}
	}
	return nil
}

// bad is the error for key's value: `user "" (from BERTH_USER): why`.
func (r *Resolved) bad(key, value string, why error) error {
	return fmt.Errorf("%s %q (from %s): %w", key, value, r.Origin(key), why)
}

// Origin says where key got its value for a message: the layer's name, or
// for the environment the variable's (BERTH_SBOM).
func (r Resolved) Origin(key string) string {
	if src := r.Source(key); src != EnvLayer {
		return src
	}
	return EnvName(key)
}

// userName is what useradd accepts by default (and a trailing $ for
// machine accounts).
var userName = regexp.MustCompile(`^[a-z_][a-z0-9_-]*\$?$`)

// ValidUser checks USER[:GROUP], each a name or a numeric id in
// 0..2147483647. Empty is an error, never "the image's default": that
// default is root, and running as root must be asked for by name (root or
// 0), so that a blank setting cannot silently give a root image.
func ValidUser(u string) error {
	if strings.TrimSpace(u) == "" {
		return fmt.Errorf("empty: give a user such as 65532:65532 (the default, nonroot), or 0 / root to run as root on purpose")
	}
	parts := strings.Split(u, ":")
	if len(parts) > 2 {
		return fmt.Errorf("want USER or USER:GROUP, each a name or a number")
	}
	for _, p := range parts {
		if err := validID(p); err != nil {
			return err
		}
	}
	return nil
}

func validID(p string) error {
	if p == "" {
		return fmt.Errorf("an empty user or group: want USER or USER:GROUP")
	}
	if p[0] >= '0' && p[0] <= '9' || p[0] == '-' || p[0] == '+' {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 || n > 1<<31-1 || strconv.FormatInt(n, 10) != p {
			return fmt.Errorf("%q is not a user or group id: want a number from 0 to 2147483647", p)
		}
		return nil
	}
	if !userName.MatchString(p) || len(p) > 32 {
		return fmt.Errorf("%q is not a valid user or group name (lowercase letters, digits, _ and -, at most 32)", p)
	}
	return nil
}
