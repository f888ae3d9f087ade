package elf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
)

// ReadSection returns the content of the named section of the ELF file at
// path, and false when it has none.
func ReadSection(path, name string) ([]byte, bool, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("reading ELF %s: %w", path, err)
	}
	defer f.Close()
	s := f.Section(name)
	if s == nil {
		return nil, false, nil
	}
	data, err := s.Data()
	if err != nil {
		return nil, false, fmt.Errorf("reading section %s of %s: %w", name, path, err)
	}
	return data, true, nil
}

// WithSection writes to dst a copy of the ELF file src with one more
// section, name, holding data: a non-allocated SHT_PROGBITS section, so the
// loader never sees it and the program runs unchanged. Program headers and
// every byte they map stay where they are; the new section's data, a new
// .shstrtab and a new section header table go after them (over the old
// table when it ends the file, as it does for linkers' output). The output
// depends only on src, name and data. dst is written to a temporary file
// and renamed, with src's permissions.
func WithSection(src, dst, name string, data []byte) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	out, err := appendSection(raw, name, data)
	if err != nil {
		return fmt.Errorf("adding section %s to %s: %w", name, src, err)
	}
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	return writeAtomic(dst, out, info.Mode().Perm())
}

// layout holds the header fields appendSection rewrites, for one class.
type layout struct {
	shoff, shentsize, shnum, shstrndx int // offsets in the ELF header
	entsize                           int // size of a section header
	wide                              bool
}

var (
	layout64 = layout{shoff: 0x28, shentsize: 0x3a, shnum: 0x3c, shstrndx: 0x3e, entsize: 64, wide: true}
	layout32 = layout{shoff: 0x20, shentsize: 0x2e, shnum: 0x30, shstrndx: 0x32, entsize: 40}
)

func appendSection(raw []byte, name string, data []byte) ([]byte, error) {
	f, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.Section(name) != nil {
		return nil, fmt.Errorf("the file has a section %s already", name)
	}
	l, bo := layout32, f.ByteOrder
	if f.Class == elf.ELFCLASS64 {
		l = layout64
	}
	shoff := readUint(bo, raw[l.shoff:], l.wide)
	shnum := int(bo.Uint16(raw[l.shnum:]))
	strndx := int(bo.Uint16(raw[l.shstrndx:]))
	if shoff == 0 || shnum == 0 || shnum >= int(elf.SHN_LORESERVE)-1 || strndx == 0 || strndx >= shnum ||
		int(bo.Uint16(raw[l.shentsize:])) != l.entsize {
		return nil, fmt.Errorf("unsupported section header table (%d sections, names in %d): only a plain table with a section name table is handled", shnum, strndx)
	}
	tableEnd := shoff + uint64(shnum*l.entsize)
	if tableEnd > uint64(len(raw)) {
		return nil, fmt.Errorf("section header table ends at %d, past the file's end (%d)", tableEnd, len(raw))
	}
	table := bytes.Clone(raw[shoff:tableEnd])
	oldNames, err := f.Sections[strndx].Data()
	if err != nil {
		return nil, fmt.Errorf("reading the section name table: %w", err)
	}
	out := raw
	if tableEnd == uint64(len(raw)) {
		out = raw[:shoff] // the old table is rewritten below
	}
	out = bytes.Clone(out)
	names := append(bytes.Clone(oldNames), append([]byte(name), 0)...)
	namesOff, dataOff := uint64(len(out)), uint64(len(out)+len(names))
	out = append(append(out, names...), data...)
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	newShoff := uint64(len(out))
	// The name table's header now points at the new table.
	strHdr := table[strndx*l.entsize:]
	putField(bo, l, strHdr, 4, namesOff)
	putField(bo, l, strHdr, 5, uint64(len(names)))
	hdr := make([]byte, l.entsize)
	bo.PutUint32(hdr[0:], uint32(len(oldNames)))
	bo.PutUint32(hdr[4:], uint32(elf.SHT_PROGBITS))
	putField(bo, l, hdr, 4, dataOff)
	putField(bo, l, hdr, 5, uint64(len(data)))
	putField(bo, l, hdr, 8, 1) // addralign
	out = append(append(out, table...), hdr...)
	putUint(bo, out[l.shoff:], newShoff, l.wide)
	bo.PutUint16(out[l.shnum:], uint16(shnum+1))
	return out, nil
}

// putField sets field i (0 name, 1 type, 2 flags, 3 addr, 4 offset, 5 size,
// 6 link, 7 info, 8 addralign, 9 entsize) of a section header; only the
// word-sized ones (2 to 5, 8, 9) are used here.
func putField(bo binary.ByteOrder, l layout, hdr []byte, i int, v uint64) {
	if !l.wide {
		putUint(bo, hdr[i*4:], v, false)
		return
	}
	offsets := map[int]int{2: 8, 3: 16, 4: 24, 5: 32, 8: 48, 9: 56}
	putUint(bo, hdr[offsets[i]:], v, true)
}

func readUint(bo binary.ByteOrder, b []byte, wide bool) uint64 {
	if wide {
		return bo.Uint64(b)
	}
	return uint64(bo.Uint32(b))
}

func putUint(bo binary.ByteOrder, b []byte, v uint64, wide bool) {
	if wide {
		bo.PutUint64(b, v)
		return
	}
	bo.PutUint32(b, uint32(v))
}

func writeAtomic(dst string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}
