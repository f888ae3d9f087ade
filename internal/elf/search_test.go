package elf

import (
	"debug/elf"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "lib/x86_64-linux-gnu/.keep"), "")
	r, _ := newResolver(Options{Root: root}, elf.EM_X86_64, elf.ELFCLASS64)
	hostBin := &node{name: "/src/target/app", path: "/src/target/app", host: true}
	lib := &node{name: "/opt/x/lib/liby.so", path: "/opt/x/lib/liby.so"}
	tests := []struct {
		name     string
		from     *node
		entry    string
		want     searchDir
		skip     bool
		wantWarn string
	}{
		{name: "origin-binary", from: hostBin, entry: "$ORIGIN/../lib", want: searchDir{dir: "/src/lib", host: true}},
		{name: "origin-braces-lib", from: lib, entry: "${ORIGIN}/deps", want: searchDir{dir: "/opt/x/lib/deps"}},
		{name: "absolute-from-binary", from: hostBin, entry: "/opt/lib", want: searchDir{dir: "/opt/lib"}},
		{name: "lib", from: lib, entry: "/usr/$LIB/y", want: searchDir{dir: "/usr/lib/x86_64-linux-gnu/y"}},
		{name: "lib-braces", from: lib, entry: "/${LIB}", want: searchDir{dir: "/lib/x86_64-linux-gnu"}},
		{name: "platform", from: lib, entry: "/p/$PLATFORM", want: searchDir{dir: "/p/x86_64"}, wantWarn: "$PLATFORM"},
		{name: "relative", from: lib, entry: "lib", skip: true, wantWarn: "relative to the working directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r.warnings = nil
			got := r.expand(tt.from, []string{tt.entry}, "runpath")
			if tt.skip != (len(got) == 0) {
				t.Fatalf("expand(%q) = %v, skip %v", tt.entry, got, tt.skip)
			}
			if !tt.skip && (got[0].dir != tt.want.dir || got[0].host != tt.want.host) {
				t.Errorf("expand(%q) = %+v, want %+v", tt.entry, got[0], tt.want)
			}
			if w := strings.Join(r.warnings, "\n"); !strings.Contains(w, tt.wantWarn) || (tt.wantWarn == "") != (w == "") {
				t.Errorf("warnings %q, want %q", r.warnings, tt.wantWarn)
			}
		})
	}
}

func TestSearchPathOrder(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "etc/ld.so.conf"), "/conf\n")
	r, _ := newResolver(Options{Root: root, ExtraLibraryPaths: []string{"/extra"}}, elf.EM_X86_64, elf.ELFCLASS64)
	defaults := defaultDirs(elf.EM_X86_64, elf.ELFCLASS64)
	exe := &node{path: "/bin/app", obj: &object{rpath: []string{"/exe-rpath"}}}
	withRunpath := &node{path: "/l/a.so", loader: exe, obj: &object{rpath: []string{"/ignored"}, runpath: []string{"/a-runpath"}}}
	plain := &node{path: "/l/b.so", loader: exe, obj: &object{rpath: []string{"/b-rpath"}}}
	underRunpath := &node{path: "/l/c.so", loader: withRunpath, obj: &object{}}
	nodeflib := &node{path: "/l/d.so", loader: exe, obj: &object{runpath: []string{"/d"}, nodeflib: true}}
	tests := []struct {
		name   string
		loader *node
		want   []string
	}{
		{"executable", exe, append([]string{"/exe-rpath", "/extra", "/conf"}, defaults...)},
		{"rpath-chain", plain, append([]string{"/b-rpath", "/exe-rpath", "/extra", "/conf"}, defaults...)},
		{"runpath-disables-rpath", withRunpath, append([]string{"/extra", "/a-runpath", "/conf"}, defaults...)},
		{"loader-with-runpath-skipped-in-chain", underRunpath, append([]string{"/exe-rpath", "/extra", "/conf"}, defaults...)},
		{"nodeflib", nodeflib, []string{"/extra", "/d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range r.searchPath(tt.loader) {
				got = append(got, d.dir)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("searchPath() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOptionsValidation(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, file, "x")
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"relative-extra", Options{ExtraLibraryPaths: []string{"lib"}}, `extra library path "lib" must be absolute`},
		{"root-not-dir", Options{Root: file}, "is not a directory"},
		{"root-missing", Options{Root: file + "-missing"}, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NSSModules(tt.opts, elf.EM_X86_64, elf.ELFCLASS64); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NSSModules() error = %v, want %q", err, tt.want)
			}
		})
	}
}
