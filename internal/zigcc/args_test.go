package zigcc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixArg: each of rustc's arguments zig cannot take is rewritten or
// dropped, for the targets it concerns only.
func TestFixArg(t *testing.T) {
	gnu := mustTarget(t, "aarch64-unknown-linux-gnu", "2.17")
	musl := mustTarget(t, "x86_64-unknown-linux-musl", "")
	arm := mustTarget(t, "armv7-unknown-linux-gnueabihf", "")
	riscv := mustTarget(t, "riscv64gc-unknown-linux-gnu", "")
	const drop = "<dropped>"
	tests := []struct {
		name string
		t    Target
		arg  string
		want string
	}{
		{"libgcc_s becomes zig's libunwind", gnu, "-lgcc_s", "-lunwind"},
		{"clang-style target from rustc or the cc crate", gnu, "--target=aarch64-unknown-linux-gnu", drop},
		{"no-undefined-version unknown to zig's linker", gnu, "-Wl,--no-undefined-version", drop},
		{"other -Wl options stay", gnu, "-Wl,--as-needed", "-Wl,--as-needed"},
		{"aarch64 march in zig's names", gnu, "-march=armv8-a+simd", "-march=generic+v8a+neon"},
		{"arm march dropped (the wrapper passes -mcpu)", arm, "-march=armv7-a", drop},
		{"riscv march", riscv, "-march=rv64gc", "-march=generic_rv64"},
		{"compiler-builtins on arm", arm, "/t/deps/libcompiler_builtins-abc.rlib", drop},
		{"compiler-builtins elsewhere stays", gnu, "/t/deps/libcompiler_builtins-abc.rlib", "/t/deps/libcompiler_builtins-abc.rlib"},
		{"musl: rustc's crt objects", musl, "/r/lib/rustlib/x86_64-unknown-linux-musl/lib/self-contained/crt1.o", drop},
		{"musl: -lc is zig's own", musl, "-lc", drop},
		{"gnu keeps -lc", gnu, "-lc", "-lc"},
		{"objects stay", gnu, "/t/deps/app-123.app.o", "/t/deps/app-123.app.o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, keep := fixArg(tt.arg, tt.t)
			if !keep {
				got = drop
			}
			if got != tt.want {
				t.Errorf("fixArg(%q) = %q, want %q", tt.arg, got, tt.want)
			}
		})
	}
}

// TestResponseFile: rustc's @file (its way past the command-line limit) is
// fixed in place, and the argument itself stays.
func TestResponseFile(t *testing.T) {
	rsp := filepath.Join(t.TempDir(), "linker-arguments")
	if err := os.WriteFile(rsp, []byte("-lgcc_s\n--target=x\n-o\nout"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := fixArgs([]string{"-lgcc_s", "@" + rsp}, mustTarget(t, "aarch64-unknown-linux-gnu", ""))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "-lunwind @"+rsp {
		t.Errorf("args %q", got)
	}
	data, _ := os.ReadFile(rsp)
	if string(data) != "-lunwind\n-o\nout" {
		t.Errorf("response file %q", data)
	}
}

// TestZigArgv: the wrapper's command line becomes zig's.
func TestZigArgv(t *testing.T) {
	tests := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"cc", "aarch64-unknown-linux-gnu.2.17", "/z/zig", "--", "-lgcc_s", "-o", "target/aarch64-unknown-linux-gnu/release/deps/x"},
			"/z/zig cc -target aarch64-linux-gnu.2.17 -g -lunwind -o target/aarch64-unknown-linux-gnu/release/deps/x", ""},
		{[]string{"c++", "armv7-unknown-linux-gnueabihf", "/usr/bin/python3", "-m", "ziglang", "--", "a.o"},
			"/usr/bin/python3 -m ziglang c++ -target arm-linux-gnueabihf -g -mcpu=generic+v7a+vfp3-d32+thumb2-neon a.o", ""},
		{[]string{"cc", "x86_64-unknown-linux-gnu.2.17", "/z/zig", "--", "-lgcc_s", "-o", "/p/target/x86_64-unknown-linux-gnu/release/deps/app-1"},
			"/z/zig cc -target x86_64-linux-gnu.2.17 -g -lunwind -o /p/target/x86_64-unknown-linux-gnu/release/deps/app-1", ""},
		// A proc-macro (a host unit) of a build whose --target is the host's
		// own triple: the host's cc links it, with rustc's arguments as they are.
		{[]string{"cc", "x86_64-unknown-linux-gnu.2.17", "/z/zig", "--", "-shared", "-lgcc_s", "-o", "/p/target/release/deps/libserde_derive-1.so"},
			"cc -shared -lgcc_s -o /p/target/release/deps/libserde_derive-1.so", ""},
		{[]string{"c++", "x86_64-unknown-linux-gnu", "/z/zig", "--", "-c", "-o/p/target/release/build/ring-1/out/a.o", "a.c"},
			"c++ -c -o/p/target/release/build/ring-1/out/a.o a.c", ""},
		{[]string{"cc", "x86_64-unknown-linux-gnu", "/z/zig", "--", "-E", "probe.c"}, "/z/zig cc -target x86_64-linux-gnu -g -E probe.c", ""},
		{[]string{"ld", "x", "zig", "--"}, "", "cc|c++"},
		{[]string{"cc", "aarch64-unknown-linux-gnu"}, "", "cc|c++"},
	}
	for _, tt := range tests {
		got, err := zigArgv(tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("zigArgv(%q): error %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("zigArgv(%q) = %q, %v; want %q", tt.args, got, err, tt.want)
		}
	}
}

func mustTarget(t *testing.T, triple, glibc string) Target {
	t.Helper()
	tt, err := ForTriple(triple, glibc)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

// TestHostUnitResponseFile: the output rustc names in a response file
// decides too.
func TestHostUnitResponseFile(t *testing.T) {
	for _, tt := range []struct {
		out  string
		host bool
	}{{"/p/target/release/deps/libm-1.so", true}, {"/p/target/aarch64-unknown-linux-gnu/release/deps/app-1", false}} {
		rsp := filepath.Join(t.TempDir(), "linker-arguments")
		if err := os.WriteFile(rsp, []byte("-shared\n-o\n"+tt.out+"\n-lgcc_s"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := hostUnit([]string{"@" + rsp}, "aarch64-unknown-linux-gnu"); got != tt.host {
			t.Errorf("hostUnit(-o %s) = %v, want %v", tt.out, got, tt.host)
		}
	}
}
