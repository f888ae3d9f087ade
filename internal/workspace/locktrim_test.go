package workspace

import (
	"strings"
	"testing"
)

const twoRands = `version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "rand 0.8.5",
 "util",
]

[[package]]
name = "rand"
version = "0.7.3"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tool"
version = "0.1.0"
dependencies = [
 "rand 0.7.3",
]

[[package]]
name = "util"
version = "0.1.0"
`

func TestTrimLockfile(t *testing.T) {
	cases := []struct {
		name      string
		roots     []string
		want, not []string
	}{
		// One rand is left: cargo spells it "rand" alone, as --locked expects.
		{"app alone", []string{"app"}, []string{"\n \"rand\",\n", `version = "0.8.5"`, `name = "util"`}, []string{"0.7.3", `name = "tool"`}},
		{"tool alone", []string{"tool"}, []string{"\n \"rand\",\n", `version = "0.7.3"`}, []string{"0.8.5", `name = "app"`, `name = "util"`}},
		{"both", []string{"app", "tool"}, []string{"\"rand 0.8.5\"", "\"rand 0.7.3\""}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			roots := map[string]bool{}
			for _, r := range c.roots {
				roots[r] = true
			}
			out, err := TrimLockfile("Cargo.lock", []byte(twoRands), roots)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseLockfile("trimmed", out); err != nil {
				t.Fatalf("the trimmed lockfile does not parse: %v\n%s", err, out)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("trimmed lockfile lacks %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(string(out), n) {
					t.Errorf("trimmed lockfile still holds %q:\n%s", n, out)
				}
			}
		})
	}
	if _, err := TrimLockfile("Cargo.lock", []byte(strings.Replace(twoRands, `"util",`, `"gone",`, 1)), map[string]bool{"app": true}); err == nil {
		t.Errorf("a reference to a missing entry was accepted")
	}
}
