package elf

import (
	"path/filepath"
	"slices"
	"testing"
)

const rustResolver = `use std::net::ToSocketAddrs;
fn main() {
    let n = "localhost:80".to_socket_addrs().map(|a| a.count()).unwrap_or(0);
    println!("{n}");
}
`

const rustHello = "fn main() { println!(\"hi\"); }\n"

// TestRustStaticNSS builds Rust binaries with static glibc, the way berth
// builds them (+crt-static needs an explicit --target).
func TestRustStaticNSS(t *testing.T) {
	requireTool(t, "rustc")
	dir := t.TempDir()
	tests := []struct {
		name  string
		src   string
		flags []string
		nss   bool
	}{
		{"to-socket-addrs", rustResolver, nil, true},
		{"to-socket-addrs-stripped", rustResolver, []string{"-C", "strip=symbols"}, true},
		{"hello", rustHello, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := filepath.Join(dir, tt.name+".rs")
			writeFile(t, src, tt.src)
			out := filepath.Join(dir, tt.name)
			argv := append([]string{"rustc", "--edition", "2021", "-O", "-C", "target-feature=+crt-static",
				"--target", "x86_64-unknown-linux-gnu", "-o", out, src}, tt.flags...)
			run(t, dir, argv...)
			c, err := Resolve(out, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !c.Static || len(c.Libraries) != 0 || c.NSS != tt.nss {
				t.Errorf("closure = static %v libs %v nss %v, want static, no libs, nss %v", c.Static, libPaths(c), c.NSS, tt.nss)
			}
		})
	}
}

func TestNSSModules(t *testing.T) {
	bin := gcc(t, t.TempDir(), resolverC, "static", "-static")
	c, err := Resolve(bin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	libs, err := NSSModules(Options{}, c.Machine, c.Class)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range libs {
		names = append(names, l.Soname)
		checkLibrary(t, "/", l)
	}
	for _, want := range []string{"libnss_files.so.2", "libnss_dns.so.2", "libc.so.6"} {
		if !slices.Contains(names, want) {
			t.Errorf("NSSModules() = %v, want %s", names, want)
		}
	}
}

// TestRustDynamic checks a default (dynamic glibc) Rust binary: the closure
// holds the interpreter and libc, and every entry replays from its links.
func TestRustDynamic(t *testing.T) {
	requireTool(t, "rustc")
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.rs")
	writeFile(t, src, rustHello)
	out := filepath.Join(dir, "hello")
	run(t, dir, "rustc", "--edition", "2021", "-o", out, src)
	c, err := Resolve(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Static || findLib(c, "libc.so.6") == nil || findLib(c, filepath.Base(c.Interpreter)) == nil {
		t.Fatalf("closure = static %v libs %v, want dynamic with libc and interpreter", c.Static, libPaths(c))
	}
	for _, l := range c.Libraries {
		checkLibrary(t, "/", l)
	}
}
