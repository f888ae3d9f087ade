package elf

// HighestNeeded is the highest symbol version of family (GLIBC) that the
// ELF file at path needs from any library, "" for none: the oldest C
// library it can run with (a --zig glibc suffix promises ≤ its version).
// It reads the same table as the closure's version check.
func HighestNeeded(path, family string) (string, error) {
	o, f, err := openObject(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var names []string
	for _, n := range o.needs {
		names = append(names, n.version)
	}
	return highestOf(names, family+"_0"), nil
}

// CompareVersions orders two versions of one family (GLIBC_2.17 <
// GLIBC_2.28): negative, zero or positive.
func CompareVersions(a, b string) int {
	_, na := splitVersion(a)
	_, nb := splitVersion(b)
	return compareNums(na, nb)
}
