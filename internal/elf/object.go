package elf

import (
	"debug/elf"
	"fmt"
	"strings"
)

// object is the dynamic-linking view of one ELF file.
type object struct {
	class    elf.Class
	machine  elf.Machine
	typ      elf.Type
	interp   string
	soname   string
	needed   []string
	rpath    []string
	runpath  []string
	nodeflib bool
	pie      bool
	needs    []versionNeed // .gnu.version_r
	defines  []string      // .gnu.version_d, the base entry left out
}

// openObject parses host file path; the caller closes the returned file.
func openObject(path string) (*object, *elf.File, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading ELF %s: %w", path, err)
	}
	o := &object{class: f.Class, machine: f.Machine, typ: f.Type}
	if err := readDynamic(f, o); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("reading dynamic section of %s: %w", path, err)
	}
	return o, f, nil
}

func readDynamic(f *elf.File, o *object) error {
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		buf := make([]byte, p.Filesz)
		if _, err := p.ReadAt(buf, 0); err != nil {
			return fmt.Errorf("PT_INTERP: %w", err)
		}
		o.interp = strings.TrimRight(string(buf), "\x00")
	}
	if f.Section(".dynamic") == nil && !hasDynamicProg(f) {
		return nil
	}
	var err error
	if o.needed, err = f.DynString(elf.DT_NEEDED); err != nil {
		return err
	}
	sonames, _ := f.DynString(elf.DT_SONAME)
	if len(sonames) > 0 {
		o.soname = sonames[0]
	}
	rpath, _ := f.DynString(elf.DT_RPATH)
	runpath, _ := f.DynString(elf.DT_RUNPATH)
	o.rpath, o.runpath = splitPaths(rpath), splitPaths(runpath)
	flags, _ := f.DynValue(elf.DT_FLAGS_1)
	for _, v := range flags {
		o.nodeflib = o.nodeflib || v&uint64(elf.DF_1_NODEFLIB) != 0
		o.pie = o.pie || v&uint64(elf.DF_1_PIE) != 0
	}
	return readVersions(f, o)
}

func hasDynamicProg(f *elf.File) bool {
	for _, p := range f.Progs {
		if p.Type == elf.PT_DYNAMIC {
			return true
		}
	}
	return false
}

// splitPaths splits DT_RPATH/DT_RUNPATH values on ':'; empty entries mean
// the current directory to ld.so, which no image should rely on, so they drop.
func splitPaths(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ":") {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
