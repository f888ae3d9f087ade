package unpack

import (
	"archive/tar"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

var (
	fuzzComponents = []string{"a", "b", "lib.so", "d", "..", ".", ".wh.a", ".wh..wh..opq"}
	fuzzTypes      = []byte{tar.TypeReg, tar.TypeDir, tar.TypeSymlink, tar.TypeLink}
	fuzzModes      = []int64{0o644, 0o755, 0o600, 0o400, 0o777}
)

// fuzzLayers decodes data into layers of entries, 5 bytes an entry: a
// layer break or not, two name components and a prefix, a type, and a
// link target and mode. Targets include the canary directory outside.
func fuzzLayers(data []byte, outside string) [][]entry {
	targets := []string{outside, outside + "/victim.so", "a", "/a", "../../..", "d/a", "/d", "../../../" + outside, "lib.so", "d"}
	layers := [][]entry{nil}
	for ; len(data) >= 5; data = data[5:] {
		if data[0]%8 == 7 {
			layers = append(layers, nil)
		}
		name := fuzzComponents[int(data[1])%len(fuzzComponents)]
		if data[2]%2 == 1 {
			name += "/" + fuzzComponents[int(data[2]/2)%len(fuzzComponents)]
		}
		name = []string{"", "/", "./"}[int(data[1]/16)%3] + name
		e := entry{name: name, typ: fuzzTypes[int(data[3])%len(fuzzTypes)], mode: fuzzModes[int(data[4]/16)%len(fuzzModes)]}
		switch e.typ {
		case tar.TypeReg:
			e.body = fmt.Sprint("body ", data[4])
		case tar.TypeSymlink, tar.TypeLink:
			e.link = targets[int(data[4])%len(targets)]
		}
		layers[len(layers)-1] = append(layers[len(layers)-1], e)
	}
	return layers
}

// FuzzExtract extracts random layers into a root inside a temporary
// directory. Invariants: nothing outside the root changes (a canary
// directory beside it, and the directory holding both), and the root
// equals the reference extraction (refFS), errors included.
func FuzzExtract(f *testing.F) {
	f.Add([]byte("\x00\x02\x00\x02\x00" + "\x00\x02\x03\x00\x00"))                          // d -> outside, d/a
	f.Add([]byte("\x00\x00\x00\x00\x10" + "\x07\x06\x00\x00\x00" + "\x00\x07\x00\x00\x00")) // whiteout
	f.Add([]byte("\x00\x02\x00\x00\x10" + "\x00\x00\x00\x03\x08" + "\x07\x03\x01\x01\x00"))
	syscall.Umask(0o022)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 5*64 {
			return
		}
		base := t.TempDir()
		outside, root := filepath.Join(base, "canary"), filepath.Join(base, "root")
		for _, d := range []string{outside, root} {
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(outside, "victim.so"), []byte("original"), 0o644); err != nil {
			t.Fatal(err)
		}
		was := snapshot(t, outside)
		layers := fuzzLayers(data, outside)
		var want func(string, byte) bool
		if len(data) > 0 && data[0]%2 == 1 {
			want = loaderFiles
		}
		err := Extract(context.Background(), imageOf(t, layers...), root, Options{Want: want})
		if got := snapshot(t, outside); got != was {
			t.Fatalf("outside the root changed:\n%s\nwas\n%s\nlayers %+v", got, was, layers)
		}
		if names := entries(t, base); strings.Join(names, " ") != "canary root" {
			t.Fatalf("beside the root: %v", names)
		}
		ref := newRef(want)
		var refErr error
		for _, l := range layers {
			if refErr = ref.layer(l); refErr != nil {
				break
			}
		}
		if (err == nil) != (refErr == nil) {
			t.Fatalf("Extract error %v, reference error %v; layers %+v", err, refErr, layers)
		}
		if err == nil {
			if got, wantTree := onDisk(t, root), ref.String(); got != wantTree {
				t.Fatalf("root:\n%s\nreference:\n%s\nlayers %+v", got, wantTree, layers)
			}
		}
	})
}

func (r *refFS) String() string {
	var lines []string
	for p, n := range r.nodes {
		if p != "/" {
			lines = append(lines, describe(p, n))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func describe(p string, n *refNode) string {
	switch n.typ {
	case tar.TypeDir:
		return fmt.Sprintf("%s dir %o", p, n.mode)
	case tar.TypeSymlink:
		return fmt.Sprintf("%s -> %s", p, n.link)
	}
	return fmt.Sprintf("%s file %o %q", p, n.mode, n.data)
}

// onDisk describes the extracted root as refFS.String does.
func onDisk(t *testing.T, root string) string {
	var lines []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		name := "/" + filepath.ToSlash(strings.TrimPrefix(p, root+"/"))
		n := &refNode{typ: tar.TypeReg, mode: info.Mode().Perm()}
		switch {
		case info.IsDir():
			n.typ = tar.TypeDir
		case info.Mode()&fs.ModeSymlink != 0:
			n.typ = tar.TypeSymlink
			n.link, err = os.Readlink(p)
		default:
			var data []byte
			data, err = os.ReadFile(p)
			n.data = string(data)
		}
		lines = append(lines, describe(name, n))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
