package elf

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestWithSection adds a section to real executables from the host: the
// section reads back, every byte a segment maps is unchanged, the program
// still runs, and the output is the same twice.
func TestWithSection(t *testing.T) {
	for _, src := range []string{"/bin/true", "/usr/bin/env"} {
		t.Run(filepath.Base(src), func(t *testing.T) {
			if _, err := os.Stat(src); err != nil {
				t.Skipf("%s not on this system", src)
			}
			dir := t.TempDir()
			payload := bytes.Repeat([]byte("berth"), 1000)
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			for _, dst := range []string{a, b} {
				if err := WithSection(src, dst, ".dep-v0", payload); err != nil {
					t.Fatal(err)
				}
			}
			got, ok, err := ReadSection(a, ".dep-v0")
			if err != nil || !ok || !bytes.Equal(got, payload) {
				t.Fatalf("ReadSection = %d bytes, %v, %v; want the payload", len(got), ok, err)
			}
			ra, _ := os.ReadFile(a)
			rb, _ := os.ReadFile(b)
			if !bytes.Equal(ra, rb) {
				t.Error("two runs gave different bytes")
			}
			checkSegmentsKept(t, src, a)
			if out, err := exec.Command(a, "--version").CombinedOutput(); err != nil {
				t.Errorf("the copy no longer runs: %v\n%s", err, out)
			}
			if err := WithSection(a, filepath.Join(dir, "c"), ".dep-v0", payload); err == nil {
				t.Error("adding a section that exists: want an error")
			}
		})
	}
}

func checkSegmentsKept(t *testing.T, src, dst string) {
	t.Helper()
	orig, _ := os.ReadFile(src)
	copyRaw, _ := os.ReadFile(dst)
	fo, err := elf.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer fo.Close()
	fc, err := elf.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	if len(fo.Progs) != len(fc.Progs) || len(fc.Sections) != len(fo.Sections)+1 {
		t.Fatalf("programs %d→%d, sections %d→%d", len(fo.Progs), len(fc.Progs), len(fo.Sections), len(fc.Sections))
	}
	// The ELF header, which the first segment maps, differs only in e_shoff
	// and e_shnum (the loader reads neither): blank them in both copies.
	for _, raw := range [][]byte{orig, copyRaw} {
		clear(raw[layout64.shoff : layout64.shoff+8])
		clear(raw[layout64.shnum : layout64.shnum+2])
	}
	for i, p := range fo.Progs {
		if p.ProgHeader != fc.Progs[i].ProgHeader {
			t.Errorf("program header %d changed", i)
		}
		end := p.Off + p.Filesz
		if !bytes.Equal(orig[p.Off:end], copyRaw[p.Off:end]) {
			t.Errorf("segment %d's bytes changed", i)
		}
	}
	for i, s := range fo.Sections {
		if s.Name != fc.Sections[i].Name || s.Addr != fc.Sections[i].Addr {
			t.Errorf("section %d: %s@%#x became %s@%#x", i, s.Name, s.Addr, fc.Sections[i].Name, fc.Sections[i].Addr)
		}
	}
	if s := fc.Section(".dep-v0"); s.Flags&elf.SHF_ALLOC != 0 || s.Type != elf.SHT_PROGBITS {
		t.Errorf("new section: flags %v type %v; want non-allocated PROGBITS", s.Flags, s.Type)
	}
}

func TestWithSectionBadInput(t *testing.T) {
	dir := t.TempDir()
	notELF := filepath.Join(dir, "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "out")
	if err := WithSection(notELF, dst, ".x", nil); err == nil {
		t.Fatal("want an error for a file that is not ELF")
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("a failed call left %s behind", dst)
	}
}

// TestWithSectionFlatMemory: a big binary is copied, not read into memory.
func TestWithSectionFlatMemory(t *testing.T) {
	objcopy, err := exec.LookPath("objcopy")
	if err != nil {
		t.Skip("objcopy (binutils) not installed")
	}
	dir := t.TempDir()
	payload := filepath.Join(dir, "payload")
	if err := os.WriteFile(payload, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(payload, 200<<20); err != nil { // 200 MB, sparse
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if out, err := exec.Command(objcopy, "--add-section", ".payload="+payload, "/bin/true", big).CombinedOutput(); err != nil {
		t.Skipf("objcopy: %v\n%s", err, out)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := WithSection(big, filepath.Join(dir, "out"), ".dep-v0", []byte("list")); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("adding a section to a 200 MB binary allocated %d MB", alloc>>20)
	}
	if data, ok, err := ReadSection(filepath.Join(dir, "out"), ".dep-v0"); err != nil || !ok || string(data) != "list" {
		t.Errorf("section reads back as %q, %v, %v", data, ok, err)
	}
}
