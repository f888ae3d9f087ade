package prepare

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/recipe"
)

const members = 300

// generate writes a virtual workspace of n members under dir: glob members,
// [workspace.package] and [workspace.dependencies] inheritance, a lib, a
// bin, a test and a build script per member, path dependencies between
// members and a Cargo.lock.
func generate(tb testing.TB, dir string, n int) {
	tb.Helper()
	write := func(rel, data string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("Cargo.toml", "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"1.0.0\"\nedition = \"2021\"\n\n"+
		"[workspace.dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nitoa = \"1\"\n\n[profile.release]\nlto = true\n")
	var lock strings.Builder
	lock.WriteString("version = 4\n")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("member-%03d", i)
		deps := "serde.workspace = true\nitoa.workspace = true\n"
		lockDeps := " \"itoa\",\n \"serde\",\n"
		if i > 0 {
			prev := fmt.Sprintf("member-%03d", i-1)
			deps += fmt.Sprintf("%s = { path = \"../%s\", version = \"1.0.0\" }\n", prev, prev)
			lockDeps += fmt.Sprintf(" \"%s\",\n", prev)
		}
		write("crates/"+name+"/Cargo.toml", fmt.Sprintf("[package]\nname = %q\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\n%s\n[build-dependencies]\nitoa.workspace = true\n", name, deps))
		write("crates/"+name+"/src/lib.rs", "pub fn f() {}\n")
		write("crates/"+name+"/src/main.rs", "fn main() {}\n")
		write("crates/"+name+"/tests/it.rs", "#[test] fn t() {}\n")
		write("crates/"+name+"/build.rs", "fn main() {}\n")
		fmt.Fprintf(&lock, "\n[[package]]\nname = %q\nversion = \"1.0.0\"\ndependencies = [\n%s]\n", name, lockDeps)
	}
	lock.WriteString("\n[[package]]\nname = \"itoa\"\nversion = \"1.0.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n")
	lock.WriteString("\n[[package]]\nname = \"serde\"\nversion = \"1.0.152\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n")
	write("Cargo.lock", lock.String())
}

// BenchmarkPrepare300 runs prepare (read, discover, mask, encode) on a
// 300-member workspace. Run: go test ./bench/prepare -bench . -run '^$'
func BenchmarkPrepare300(b *testing.B) {
	dir := b.TempDir()
	generate(b, dir, members)
	manifest := filepath.Join(dir, "Cargo.toml")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := recipe.Prepare(recipe.PrepareOptions{ManifestPath: manifest})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Encode(); err != nil {
			b.Fatal(err)
		}
		if len(r.Packages) != members {
			b.Fatalf("%d packages, want %d", len(r.Packages), members)
		}
	}
}
