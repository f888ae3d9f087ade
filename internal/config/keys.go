package config

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// checkPairs checks the keys and values of env or labels: a key is not
// empty, holds no "=" (KEY=VALUE could not be written back) and no control
// character (a newline or NUL would split or cut the entry in the image
// config, a Dockerfile or a process environment); a value holds no NUL.
func checkPairs(what string, m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := checkPairKey(what, k); err != nil {
			return err
		}
		if strings.ContainsRune(m[k], 0) {
			return fmt.Errorf("the value of %s %q holds a NUL byte, which no environment or label can carry", what, k)
		}
	}
	return nil
}

// checkPairKey is checkPairs' rule for one key.
func checkPairKey(what, k string) error {
	switch {
	case k == "":
		return fmt.Errorf("an empty %s name: give every entry a name, KEY=VALUE", what)
	case strings.Contains(k, "="):
		return fmt.Errorf("%s name %q holds \"=\": a name ends at the first \"=\", write KEY=VALUE", what, k)
	case strings.IndexFunc(k, unicode.IsControl) >= 0:
		return fmt.Errorf("%s name %q holds a control character (newline, tab or NUL): names are one plain line", what, k)
	}
	return nil
}
