package berth_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPackageDependencies keeps the package graph the one design.md draws:
// domain packages stay small and reusable, and only cli sees the config.
func TestPackageDependencies(t *testing.T) {
	const mod = "github.com/berth-dev/berth/internal/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./internal/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string][]string{
		"cli":        {"*"},
		"config":     {},
		"cargo":      {},
		"elf":        {},
		"fileset":    {},
		"atomicfile": {},
		"image":      {"fileset", "atomicfile", "timing", "stamp", "progress"},
		"publish":    {"atomicfile", "timing", "progress"},
		"dockerfile": {},
		"rootfs":     {"fileset", "atomicfile"},
		"recipe":     {"cargo", "atomicfile"},
		"pipeline":   {"cargo", "elf", "fileset", "image", "rootfs", "audit", "sbom", "pkgdb", "timing", "atomicfile", "stamp", "zigcc"},
		"testenv":    {},
		"audit":      {},
		"sbom":       {},
		"pkgdb":      {},
		"timing":     {},
		"stamp":      {"atomicfile"},
		"progress":   {},
		"zigcc":      {},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the dependency table; add it here and to design.md's", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, internal := strings.CutPrefix(imp, mod)
			if !internal || (len(ok) == 1 && ok[0] == "*") {
				continue
			}
			if !contains(ok, dep) {
				t.Errorf("%s imports internal/%s; allowed: %v", pkg, dep, ok)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
