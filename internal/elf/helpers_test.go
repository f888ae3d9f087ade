package elf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireTool skips when a toolchain is missing, except in e2e runs
// (BERTH_E2E=1) where a missing toolchain must fail loudly.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("BERTH_E2E") == "1" {
			t.Fatalf("%s is required when BERTH_E2E=1: %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
	return p
}

// run runs a command in dir and fails the test with its output on error.
func run(t *testing.T, dir string, argv ...string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gcc compiles C source src into out (relative to dir) with extra args.
func gcc(t *testing.T, dir, src, out string, args ...string) string {
	t.Helper()
	requireTool(t, "gcc")
	name := strings.TrimSuffix(filepath.Base(out), filepath.Ext(out)) + "_src.c"
	writeFile(t, filepath.Join(dir, name), src)
	argv := append([]string{"gcc", "-o", out, name}, args...)
	run(t, dir, argv...)
	return filepath.Join(dir, out)
}

// sharedLib builds lib<name>.so with that SONAME in dir, exporting fn.
func sharedLib(t *testing.T, dir, name, fn string, args ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "int " + fn + "(void) { return 1; }\n"
	args = append([]string{"-shared", "-fPIC", "-Wl,-soname," + name}, args...)
	return gcc(t, dir, src, name, args...)
}

const helloC = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n"

const resolverC = `#include <netdb.h>
int main(void) { struct addrinfo *r; return getaddrinfo("localhost", 0, 0, &r); }
`

// callerC calls each function (declared extern) from main.
func callerC(fns ...string) string {
	var b strings.Builder
	for _, f := range fns {
		b.WriteString("int " + f + "(void);\n")
	}
	b.WriteString("int main(void) { int r = 0")
	for _, f := range fns {
		b.WriteString(" + " + f + "()")
	}
	b.WriteString("; return r < 0; }\n")
	return b.String()
}

func libPaths(c *Closure) []string {
	var out []string
	for _, l := range c.Libraries {
		out = append(out, l.Path)
	}
	return out
}

func findLib(c *Closure, soname string) *Library {
	for i := range c.Libraries {
		if c.Libraries[i].Soname == soname {
			return &c.Libraries[i]
		}
	}
	return nil
}

func runErr(dir string, argv ...string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	return cmd.Run()
}
