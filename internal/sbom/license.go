package sbom

import (
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
)

// licenseExpression makes Cargo.toml's license field a valid SPDX
// expression, checked by go-spdx's parser rather than by string edits:
//   - the old "MIT/Apache-2.0" form means OR, and becomes a parenthesised
//     OR, so that inside a larger expression it keeps its meaning under
//     SPDX's precedence (AND binds tighter than OR);
//   - an id that is not on the SPDX list (Proprietary) becomes
//     LicenseRef-<id>, which SPDX reserves for licenses of one's own;
//   - lowercase and, or, with are read as operators, as cargo does;
//   - anything that still does not parse (unbalanced parentheses, an
//     operator without an operand, an unknown exception) is not asserted:
//     "", which documents write as NOASSERTION.
func licenseExpression(s string) string {
	words, ok := licenseWords(s)
	if !ok || len(words) == 0 {
		return ""
	}
	norm, invalid := spdxexp.ValidateAndNormalizeLicensesWithOptions([]string{strings.Join(words, " ")}, spdxexp.ValidateLicensesOptions{})
	if len(invalid) > 0 || len(norm) != 1 {
		return ""
	}
	return norm[0]
}

// licenseWords splits s into parentheses, operators and license ids, each
// id made one go-spdx accepts; false when a word cannot be made one.
func licenseWords(s string) ([]string, bool) {
	s = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s)
	var out []string
	afterWith := false
	for _, w := range strings.Fields(s) {
		switch up := strings.ToUpper(w); {
		case w == "(" || w == ")":
			out = append(out, w)
		case up == "AND" || up == "OR" || up == "WITH":
			out = append(out, up)
		case afterWith:
			ok, id := spdxlicenses.IsException(w)
			if !ok {
				return nil, false
			}
			out = append(out, id)
		case strings.Contains(w, "/"):
			var ids []string
			for _, part := range strings.Split(w, "/") {
				id, ok := licenseID(part)
				if !ok {
					return nil, false
				}
				ids = append(ids, id)
			}
			out = append(out, "("+strings.Join(ids, " OR ")+")")
		default:
			id, ok := licenseID(w)
			if !ok {
				return nil, false
			}
			out = append(out, id)
		}
		afterWith = strings.EqualFold(w, "WITH")
	}
	return out, true
}

// licenseID is w as an SPDX id: a listed license (current or deprecated,
// with an optional +), a LicenseRef- or DocumentRef- kept, any other
// name LicenseRef-<name> with the characters SPDX ids allow.
func licenseID(w string) (string, bool) {
	base := strings.TrimSuffix(w, "+")
	if ok, id := spdxlicenses.IsActiveLicense(base); ok {
		return id + strings.TrimPrefix(w, base), true
	}
	if ok, id := spdxlicenses.IsDeprecatedLicense(base); ok {
		return id + strings.TrimPrefix(w, base), true
	}
	if strings.HasPrefix(w, "LicenseRef-") || strings.HasPrefix(w, "DocumentRef-") {
		return w, true
	}
	ref := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, w)
	if strings.Trim(ref, "-.") == "" {
		return "", false
	}
	return "LicenseRef-" + ref, true
}

// licenseRefs are the LicenseRef- ids an expression uses, for the
// document's definitions of them.
func licenseRefs(expr string) []string {
	var out []string
	for _, w := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(expr)) {
		if strings.HasPrefix(w, "LicenseRef-") {
			out = append(out, w)
		}
	}
	return out
}
