package elf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
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
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	a, err := planSection(in, info.Size(), name, data)
	if err != nil {
		return fmt.Errorf("adding section %s to %s: %w", name, src, err)
	}
	return writeAtomic(dst, info.Mode().Perm(), func(out *os.File) error {
		// The kept bytes are copied by the kernel where it can
		// (copy_file_range): a 500 MB binary never passes through memory.
		if _, err := out.ReadFrom(io.NewSectionReader(in, 0, a.keep)); err != nil {
			return err
		}
		if _, err := out.Write(a.tail); err != nil {
			return err
		}
		_, err := out.WriteAt(a.header, 0)
		return err
	})
}

// layout holds the header fields planSection rewrites, for one class.
type layout struct {
	shoff, shentsize, shnum, shstrndx int // offsets in the ELF header
	entsize                           int // size of a section header
	wide                              bool
}

var (
	layout64 = layout{shoff: 0x28, shentsize: 0x3a, shnum: 0x3c, shstrndx: 0x3e, entsize: 64, wide: true}
	layout32 = layout{shoff: 0x20, shentsize: 0x2e, shnum: 0x30, shstrndx: 0x32, entsize: 40}
)

// addition is how a file gets its new section: its first keep bytes stay,
// with header replacing its ELF header, and tail follows them.
type addition struct {
	keep   int64
	header []byte
	tail   []byte
}

// planSection reads the ELF header and the section header table of the
// file r (size bytes) and works out the addition of section name.
func planSection(r io.ReaderAt, size int64, name string, data []byte) (addition, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return addition{}, err
	}
	defer f.Close()
	if f.Section(name) != nil {
		return addition{}, fmt.Errorf("the file has a section %s already", name)
	}
	l, bo := layout32, f.ByteOrder
	if f.Class == elf.ELFCLASS64 {
		l = layout64
	}
	header := make([]byte, l.shstrndx+2)
	if _, err := r.ReadAt(header, 0); err != nil {
		return addition{}, fmt.Errorf("reading the ELF header: %w", err)
	}
	shoff := readUint(bo, header[l.shoff:], l.wide)
	shnum := int(bo.Uint16(header[l.shnum:]))
	strndx := int(bo.Uint16(header[l.shstrndx:]))
	if shoff == 0 || shnum == 0 || shnum >= int(elf.SHN_LORESERVE)-1 || strndx == 0 || strndx >= shnum ||
		int(bo.Uint16(header[l.shentsize:])) != l.entsize {
		return addition{}, fmt.Errorf("unsupported section header table (%d sections, names in %d): only a plain table with a section name table is handled", shnum, strndx)
	}
	tableEnd := shoff + uint64(shnum*l.entsize)
	if tableEnd > uint64(size) {
		return addition{}, fmt.Errorf("section header table ends at %d, past the file's end (%d)", tableEnd, size)
	}
	table := make([]byte, tableEnd-shoff)
	if _, err := r.ReadAt(table, int64(shoff)); err != nil {
		return addition{}, fmt.Errorf("reading the section header table: %w", err)
	}
	oldNames, err := f.Sections[strndx].Data()
	if err != nil {
		return addition{}, fmt.Errorf("reading the section name table: %w", err)
	}
	keep := size
	if tableEnd == uint64(size) {
		keep = int64(shoff) // the old table is rewritten below
	}
	names := append(bytes.Clone(oldNames), append([]byte(name), 0)...)
	namesOff, dataOff := uint64(keep), uint64(keep)+uint64(len(names))
	tail := append(names, data...)
	for (keep+int64(len(tail)))%8 != 0 {
		tail = append(tail, 0)
	}
	newShoff := uint64(keep) + uint64(len(tail))
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
	tail = append(append(tail, table...), hdr...)
	putUint(bo, header[l.shoff:], newShoff, l.wide)
	bo.PutUint16(header[l.shnum:], uint16(shnum+1))
	return addition{keep: keep, header: header, tail: tail}, nil
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

func writeAtomic(dst string, perm os.FileMode, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
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
