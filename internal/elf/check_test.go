package elf

import (
	"debug/elf"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckRejectsNonELF(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"text", "hello world\n", `is not an ELF file (it starts with "hello wo")`},
		{"empty", "", "is not an ELF file (it is empty)"},
		{"macho64", "\xcf\xfa\xed\xfe\x07\x00\x00\x01", "is a macOS Mach-O binary, not Linux ELF"},
		{"macho-fat", "\xca\xfe\xba\xbe\x00\x00\x00\x02", "is a macOS Mach-O binary, not Linux ELF"},
		{"pe", "MZ\x90\x00\x03\x00\x00\x00", "is a Windows PE binary, not Linux ELF"},
		{"script", "#!/bin/sh\necho hi\n", `is a script (it starts with "#!/bin/sh")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			writeFile(t, p, tt.content)
			_, err := Check(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("Check() error = %v, want it to name %s and contain %q", err, p, tt.want)
			}
		})
	}
}

func TestCheckMissingFile(t *testing.T) {
	if _, err := Check(filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "opening binary") {
		t.Fatalf("Check() error = %v, want an opening error", err)
	}
}

func TestCheckELFKinds(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		src     string
		wantErr string
		static  bool
		pie     bool
		typ     elf.Type
	}{
		{name: "pie", src: helloC, args: []string{"-pie", "-fPIE"}, pie: true, typ: elf.ET_DYN},
		{name: "exec", src: helloC, args: []string{"-no-pie"}, typ: elf.ET_EXEC},
		{name: "static", src: helloC, args: []string{"-static"}, static: true, typ: elf.ET_EXEC},
		{name: "static-pie", src: helloC, args: []string{"-static-pie"}, static: true, pie: true, typ: elf.ET_DYN},
		{name: "shared", src: "int f(void) { return 1; }\n", args: []string{"-shared", "-fPIC"}, wantErr: "is an ELF shared library, not an executable"},
		{name: "object", src: helloC, args: []string{"-c"}, wantErr: "is an ELF object file (.o)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := gcc(t, dir, tt.src, tt.name, tt.args...)
			b, err := Check(p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Check() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check() error = %v", err)
			}
			if b.Static != tt.static || b.PIE != tt.pie || b.Type != tt.typ || b.Machine == elf.EM_NONE {
				t.Errorf("Check() = static %v pie %v type %v machine %v, want static %v pie %v type %v",
					b.Static, b.PIE, b.Type, b.Machine, tt.static, tt.pie, tt.typ)
			}
			if (b.Interpreter == "") != tt.static {
				t.Errorf("Interpreter = %q, static = %v", b.Interpreter, tt.static)
			}
		})
	}
}
