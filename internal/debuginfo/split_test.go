package debuginfo

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const helloC = `#include <stdio.h>
int answer(int x) { return x * 2; }
int main(void) { printf("%d\n", answer(21)); return 0; }
`

// compile builds the C program with debug information, with or without a
// build-id, with the build machine's cc (real ELF files, real objcopy).
func compile(t *testing.T, buildID bool) string {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no cc on PATH")
	}
	if err := Check(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.c")
	if err := os.WriteFile(src, []byte(helloC), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hello")
	id := "-Wl,--build-id=sha1"
	if !buildID {
		id = "-Wl,--build-id=none"
	}
	if b, err := exec.Command("cc", "-g", "-O0", id, "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, b)
	}
	return out
}

func TestSplit(t *testing.T) {
	for _, tt := range []struct {
		name    string
		buildID bool
	}{{"with build-id", true}, {"without build-id", false}} {
		t.Run(tt.name, func(t *testing.T) {
			bin := compile(t, tt.buildID)
			_, err := BuildID(bin)
			if tt.buildID != (err == nil) {
				t.Fatalf("BuildID of the input: %v", err)
			}
			r, err := Split(context.Background(), bin, filepath.Join(t.TempDir(), "a"))
			if err != nil {
				t.Fatal(err)
			}
			again, err := Split(context.Background(), bin, filepath.Join(t.TempDir(), "b"))
			if err != nil {
				t.Fatal(err)
			}
			for _, pair := range [][2]string{{r.Stripped, again.Stripped}, {r.Debug, again.Debug}} {
				a, _ := os.ReadFile(pair[0])
				b, _ := os.ReadFile(pair[1])
				if !bytes.Equal(a, b) || len(a) == 0 {
					t.Errorf("two splits of the same binary differ: %s, %s", pair[0], pair[1])
				}
			}
			for _, p := range []string{r.Stripped, r.Debug} {
				if id, err := BuildID(p); err != nil || id != r.BuildID {
					t.Errorf("build-id of %s = %q, %v; want %s", p, id, err, r.BuildID)
				}
			}
			if hasDebug(t, r.Stripped) || !hasDebug(t, r.Debug) {
				t.Error("the stripped binary keeps .debug_info, or the debug file lacks it")
			}
			if out, err := exec.Command(r.Stripped).Output(); err != nil || strings.TrimSpace(string(out)) != "42" {
				t.Errorf("the stripped binary printed %q, %v", out, err)
			}
			if want := ".build-id/" + r.BuildID[:2] + "/" + r.BuildID[2:] + ".debug"; Path(r.BuildID) != want {
				t.Errorf("Path = %s, want %s", Path(r.BuildID), want)
			}
		})
	}
}

func hasDebug(t *testing.T, p string) bool {
	t.Helper()
	f, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(".debug_info")
	return s != nil && s.Type != elf.SHT_NOBITS
}

func TestSplitNoObjcopy(t *testing.T) {
	old := Objcopy
	Objcopy = "objcopy-that-does-not-exist"
	defer func() { Objcopy = old }()
	_, err := Split(context.Background(), "/bin/true", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "apt-get install binutils") {
		t.Errorf("err = %v, want one naming binutils", err)
	}
}
