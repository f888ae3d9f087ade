package audit

// WithLicenses returns own, a list read from a binary's .dep-v0 section
// (whose format has no licenses), with each crate's license taken from
// known, the list cargo metadata gave for the same build, matched by name,
// version and source kind. A crate known does not hold keeps no license.
// Without this, a binary built with cargo auditable lost every license in
// its SBOM, its own package's included.
func WithLicenses(own, known []Crate) []Crate {
	type id struct{ name, version, source string }
	licenses := make(map[id]string, len(known))
	for _, c := range known {
		if c.License != "" {
			licenses[id{c.Name, c.Version, c.Source}] = c.License
		}
	}
	out := make([]Crate, len(own))
	for i, c := range own {
		out[i] = c
		if out[i].License == "" {
			out[i].License = licenses[id{c.Name, c.Version, c.Source}]
		}
	}
	return out
}
