package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Validate checks, before any work, the values whose mistakes would not
// fail later or would fail only after a build: the user, whose empty value
// made an image that runs as root, and the SBOM format. Errors name the
// value's source.
func (r Resolved) Validate() error {
	if r.User != nil {
		if err := ValidUser(*r.User); err != nil {
			return r.bad("user", *r.User, err)
		}
	}
	if r.SBOM != nil && !slices.Contains(SBOMFormats, *r.SBOM) {
		return r.bad("sbom", *r.SBOM, fmt.Errorf("want one of %s", strings.Join(SBOMFormats, ", ")))
	}
	return nil
}

// bad is the error for key's value: `user "" (from BERTH_USER): why`.
func (r Resolved) bad(key, value string, why error) error {
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
