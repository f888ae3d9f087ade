package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/berth-dev/berth/internal/audit"
	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/elf"
	"github.com/berth-dev/berth/internal/stamp"
)

// metadata is cargo metadata's shape (trimmed): app has a normal, a build
// and a dev dependency; cc is also a normal dependency of nothing here.
const metadata = `{
 "packages": [
  {"id": "path+file:///w/app#0.1.0", "name": "app", "version": "0.1.0", "source": null, "license": "MIT"},
  {"id": "registry+https://github.com/rust-lang/crates.io-index#log@0.4.17", "name": "log", "version": "0.4.17",
   "source": "registry+https://github.com/rust-lang/crates.io-index", "license": "MIT OR Apache-2.0"},
  {"id": "registry+https://github.com/rust-lang/crates.io-index#cc@1.0.0", "name": "cc", "version": "1.0.0",
   "source": "registry+https://github.com/rust-lang/crates.io-index", "license": null},
  {"id": "registry+https://github.com/rust-lang/crates.io-index#quickcheck@1.0.0", "name": "quickcheck", "version": "1.0.0",
   "source": "registry+https://github.com/rust-lang/crates.io-index", "license": null}
 ],
 "workspace_members": ["path+file:///w/app#0.1.0"],
 "resolve": {"nodes": [
  {"id": "path+file:///w/app#0.1.0", "deps": [
   {"pkg": "registry+https://github.com/rust-lang/crates.io-index#log@0.4.17", "dep_kinds": [{"kind": null, "target": null}]},
   {"pkg": "registry+https://github.com/rust-lang/crates.io-index#cc@1.0.0", "dep_kinds": [{"kind": "build", "target": null}]},
   {"pkg": "registry+https://github.com/rust-lang/crates.io-index#quickcheck@1.0.0", "dep_kinds": [{"kind": "dev", "target": null}]}
  ]}
 ]}
}`

func TestCrates(t *testing.T) {
	var r cargo.Resolve
	if err := json.Unmarshal([]byte(metadata), &r); err != nil {
		t.Fatal(err)
	}
	got, err := Crates(&r, "app")
	if err != nil {
		t.Fatal(err)
	}
	want := []audit.Crate{
		{Name: "app", Version: "0.1.0", Source: "local", License: "MIT", Root: true, Deps: []int{1}},
		{Name: "log", Version: "0.4.17", Source: "crates.io", License: "MIT OR Apache-2.0"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Crates =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := Crates(&r, "other"); err == nil {
		t.Error("a package that is not a member: want an error")
	}
}

// TestAuditedBinary: a copy gets the section, cargo's file is unchanged,
// and a binary with a section keeps it (and its list).
func TestAuditedBinary(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "true")
	orig, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Skip("no /bin/true")
	}
	if err := os.WriteFile(src, orig, 0o755); err != nil {
		t.Fatal(err)
	}
	crates := []audit.Crate{{Name: "app", Version: "1.0.0", Source: "local", Root: true}}
	out, list, err := AuditedBinary(src, filepath.Join(dir, "audit"), crates, stamp.Store{})
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(src); string(now) != string(orig) || out == src {
		t.Fatalf("cargo's file was changed or used as is (out %s)", out)
	}
	if _, ok, _ := elf.ReadSection(out, audit.SectionName); !ok || !reflect.DeepEqual(list, crates) {
		t.Fatalf("the copy has no section, or the list is %+v", list)
	}
	known := []audit.Crate{{Name: "other", Version: "2"}, {Name: "app", Version: "1.0.0", Source: "local", Root: true, License: "MIT"}}
	again, own, err := AuditedBinary(out, filepath.Join(dir, "audit2"), known, stamp.Store{})
	if err != nil || again != out || len(own) != 1 || own[0].Name != "app" {
		t.Errorf("a binary with a section: got %s %+v %v; want it kept with its own list", again, own, err)
	}
	if len(own) == 1 && own[0].License != "MIT" {
		t.Errorf("a binary with a section: license %q, want MIT, from cargo metadata's list", own[0].License)
	}
}

// TestAuditedBinaryReused: the copy of a binary that has not changed is
// not made again (its identity stays, so its layer's stamp holds), unless
// the copy itself was changed, or the crate list was.
func TestAuditedBinaryReused(t *testing.T) {
	const src = "/bin/true" // installed long ago: its identity is settled
	if _, err := os.Stat(src); err != nil {
		t.Skip("no /bin/true")
	}
	dir, stamps := t.TempDir(), stamp.Store{Dir: t.TempDir()}
	crates := []audit.Crate{{Name: "app", Version: "1.0.0", Source: "local", Root: true}}
	identity := func(p string) stamp.ID {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		return stamp.Exact(fi)
	}
	copyOf := func(crates []audit.Crate) (string, stamp.ID) {
		out, _, err := AuditedBinary(src, dir, crates, stamps)
		if err != nil {
			t.Fatal(err)
		}
		return out, identity(out)
	}
	out, first := copyOf(crates)
	if _, again := copyOf(crates); again != first {
		t.Error("an unchanged binary's copy was made again")
	}
	if err := os.WriteFile(out, []byte("tampered"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := elf.ReadSection(func() string { p, _ := copyOf(crates); return p }(), audit.SectionName); !ok || err != nil {
		t.Errorf("a changed copy was kept: section %v, %v", ok, err)
	}
	_, before := copyOf(crates)
	if _, after := copyOf(append(crates, audit.Crate{Name: "serde", Version: "1.0.0", Source: "crates.io"})); after == before {
		t.Error("a new crate list kept the old copy")
	}
}
