package elf

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Binary is what Check learns about an executable.
type Binary struct {
	Path        string
	Machine     elf.Machine
	Class       elf.Class
	Type        elf.Type
	Interpreter string // PT_INTERP, "" when static
	Static      bool   // no PT_INTERP and no DT_NEEDED (static-pie included)
	PIE         bool
	obj         *object
}

// Check validates that path is a Linux ELF executable (ET_EXEC, PIE or
// static-pie) and explains in plain words what it is when it is not.
func Check(path string) (*Binary, error) {
	head, err := readHead(path)
	if err != nil {
		return nil, err
	}
	if err := checkMagic(path, head); err != nil {
		return nil, err
	}
	o, f, err := openObject(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if abi := f.OSABI; abi != elf.ELFOSABI_NONE && abi != elf.ELFOSABI_LINUX {
		return nil, fmt.Errorf("%s is an ELF binary for %s, not Linux; build it for a *-linux-gnu or *-linux-musl target", path, osabiName(abi))
	}
	b := &Binary{Path: path, Machine: f.Machine, Class: f.Class, Type: f.Type, Interpreter: o.interp, obj: o}
	b.Static = o.interp == "" && len(o.needed) == 0
	if err := classify(b, f, o); err != nil {
		return nil, err
	}
	return b, nil
}

// classify rejects ELF files that are not executables and sets PIE.
func classify(b *Binary, f *elf.File, o *object) error {
	switch f.Type {
	case elf.ET_EXEC:
		return nil
	case elf.ET_REL:
		return fmt.Errorf("%s is an ELF object file (.o), not a linked executable; pass the binary cargo built", b.Path)
	case elf.ET_CORE:
		return fmt.Errorf("%s is a core dump, not an executable", b.Path)
	case elf.ET_DYN:
		// A PIE has PT_INTERP or DF_1_PIE; a static-pie without DF_1_PIE (old
		// linkers) still has an entry point and no SONAME, unlike a library.
		if o.interp != "" || o.pie || (f.Entry != 0 && o.soname == "" && len(o.needed) == 0) {
			b.PIE = true
			return nil
		}
		return fmt.Errorf("%s is an ELF shared library, not an executable; pass the program that loads it (a [[bin]] target)", b.Path)
	default:
		return fmt.Errorf("%s is an ELF file of type %s, not an executable", b.Path, f.Type)
	}
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening binary: %w", err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return head[:n], nil
}

// checkMagic names the common non-ELF formats people pass by mistake.
func checkMagic(path string, head []byte) error {
	if bytes.HasPrefix(head, []byte("\x7fELF")) {
		return nil
	}
	machO := [][]byte{
		{0xfe, 0xed, 0xfa, 0xce}, {0xce, 0xfa, 0xed, 0xfe},
		{0xfe, 0xed, 0xfa, 0xcf}, {0xcf, 0xfa, 0xed, 0xfe},
		{0xca, 0xfe, 0xba, 0xbe}, // universal (fat) binary
	}
	for _, m := range machO {
		if bytes.HasPrefix(head, m) {
			return fmt.Errorf("%s is a macOS Mach-O binary, not Linux ELF; build with --target x86_64-unknown-linux-gnu (or another Linux target)", path)
		}
	}
	switch {
	case bytes.HasPrefix(head, []byte("MZ")):
		return fmt.Errorf("%s is a Windows PE binary, not Linux ELF; build for a Linux target", path)
	case bytes.HasPrefix(head, []byte("#!")):
		return fmt.Errorf("%s is a script (it starts with %q), not an ELF binary", path, firstLine(head))
	case len(head) == 0:
		return fmt.Errorf("%s is not an ELF file (it is empty)", path)
	}
	return fmt.Errorf("%s is not an ELF file (it starts with %q)", path, head[:min(len(head), 8)])
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

func osabiName(a elf.OSABI) string {
	return strings.TrimPrefix(a.String(), "ELFOSABI_")
}
