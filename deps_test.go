package berth_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/berth-dev/berth/"

// allowedImports is the package graph docs/architecture.md draws, for
// every package of the module, its tests included: cli parses and calls the
// pipeline and the sinks; domain packages stay small and reusable, and only
// the pipeline sees the whole configuration.
var allowedImports = map[string][]string{
	"cmd/cargo-berth":        {"internal/cli", "internal/zigcc"}, // zigcc: berth as zig's linker wrapper
	"internal/cli":           {"internal/pipeline", "internal/publish", "internal/config", "internal/recipe", "internal/dockerfile", "internal/timing", "internal/verify", "internal/deploy", "internal/testenv"},
	"internal/deploy":        {"internal/pipeline", "internal/publish", "internal/image", "internal/yamlref", "internal/kubectl", "internal/atomicfile", "internal/testenv"},
	"internal/yamlref":       {},
	"internal/kubectl":       {"internal/testenv"},
	"internal/verify":        {"internal/pipeline", "internal/publish", "internal/provenance", "internal/image", "internal/config", "internal/sign", "internal/testenv"}, // sign: the signatures checked before a rebuild
	"internal/provenance":    {},
	"internal/pipeline":      {"internal/config", "internal/recipe", "internal/cargo", "internal/workspace", "internal/cargoconfig", "internal/elf", "internal/fileset", "internal/image", "internal/rootfs", "internal/audit", "internal/sbom", "internal/pkgdb", "internal/timing", "internal/atomicfile", "internal/stamp", "internal/unpack", "internal/cachedir", "internal/provenance", "internal/extras", "internal/chroot", "internal/debuginfo", "internal/zigcc", "internal/testenv"},
	"internal/publish":       {"internal/image", "internal/sign", "internal/filehash", "internal/ctxio", "internal/atomicfile", "internal/timing", "internal/progress", "internal/cachedir", "internal/testenv"}, // cachedir: where sign keeps keys' public halves
	"internal/config":        {},
	"internal/cargo":         {"internal/workspace", "internal/cargoconfig", "internal/timing", "internal/testenv"},
	"internal/workspace":     {"internal/cargoconfig", "internal/cargo", "internal/testenv"}, // cargo: the tests compare with cargo metadata
	"internal/cargoconfig":   {},
	"internal/recipe":        {"internal/cargo", "internal/workspace", "internal/atomicfile", "internal/targetseed", "internal/testenv"},
	"internal/targetseed":    {},
	"internal/dockerfile":    {"internal/atomicfile"},
	"internal/elf":           {"internal/chroot", "internal/testenv"},
	"internal/pkgdb":         {"internal/filehash", "internal/chroot", "internal/testenv", "internal/elf"}, // elf: its tests take a real closure
	"internal/rootfs":        {"internal/fileset", "internal/atomicfile", "internal/chroot"},
	"internal/image":         {"internal/fileset", "internal/filehash", "internal/ctxio", "internal/atomicfile", "internal/timing", "internal/stamp", "internal/progress"},
	"internal/unpack":        {"internal/atomicfile"},
	"internal/stamp":         {"internal/atomicfile"},
	"internal/chroot":        {},
	"internal/zigcc":         {"internal/cargoconfig", "internal/testenv"},
	"internal/sign":          {"internal/image", "internal/stamp", "internal/testenv"}, // stamp: keys' public halves in the cache
	"internal/extras":        {},
	"internal/debuginfo":     {"internal/testenv"},
	"internal/cachedir":      {},
	"internal/audit":         {},
	"internal/sbom":          {},
	"internal/fileset":       {},
	"internal/atomicfile":    {},
	"internal/filehash":      {},
	"internal/ctxio":         {},
	"internal/timing":        {},
	"internal/progress":      {},
	"internal/testenv":       {},
	"e2e":                    {"internal/cli", "internal/testenv", "internal/audit", "internal/elf", "internal/image", "internal/pipeline", "internal/publish", "internal/config", "internal/provenance", "internal/debuginfo", "internal/zigcc"},
	"bench/build":            {"bench/internal/fixture", "bench/internal/report", "internal/testenv"},
	"bench/zig":              {"bench/internal/fixture", "bench/internal/report"},
	"bench/compress":         {},
	"bench/dockerfile":       {"bench/internal/report", "internal/testenv"},
	"bench/platform":         {"bench/internal/fixture", "bench/internal/report"},
	"bench/prepare":          {"internal/recipe"},
	"bench/internal/report":  {},
	"bench/internal/fixture": {"bench/internal/report", "internal/testenv"},
	"":                       {}, // the module root: these tests
}

// TestPackageDependencies keeps every package of the module, cmd/, e2e/
// and bench/ included, to the graph above.
func TestPackageDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, problem := range checkImports(strings.Split(strings.TrimSpace(string(out)), "\n"), allowedImports) {
		t.Error(problem)
	}
}

// checkImports returns what breaks the rules in go list's lines ("pkg
// imp imp ..."): a package the table does not know, or an import of the
// module it does not allow.
func checkImports(lines []string, allowed map[string][]string) []string {
	var problems []string
	for _, line := range lines {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], strings.TrimSuffix(module, "/")), "/")
		ok, known := allowed[pkg]
		if !known {
			problems = append(problems, "package "+pkg+" is not in deps_test.go's table; add it there and to docs/architecture.md's")
			continue
		}
		for _, imp := range fields[1:] {
			dep, internal := strings.CutPrefix(imp, module)
			if internal && dep != pkg && !slices.Contains(ok, dep) {
				problems = append(problems, pkg+" imports "+dep+"; allowed: "+strings.Join(ok, ", "))
			}
		}
	}
	return problems
}

// TestCheckImportsFails proves the checker can fail: a wrong import and an
// unknown package are reported, a right one is not.
func TestCheckImportsFails(t *testing.T) {
	lines := []string{
		module + "internal/cli " + module + "internal/pipeline fmt",
		module + "internal/elf " + module + "internal/cli",
		module + "internal/newpkg fmt",
	}
	got := checkImports(lines, allowedImports)
	want := []string{
		"internal/elf imports internal/cli; allowed: internal/chroot, internal/testenv",
		"package internal/newpkg is not in deps_test.go's table; add it there and to docs/architecture.md's",
	}
	if !slices.Equal(got, want) {
		t.Errorf("checkImports = %q, want %q", got, want)
	}
}

// allowedRunners are the only files outside tests and benchmarks that
// start programs, and what they run: cargo (and rustc) from internal/cargo,
// zig from internal/zigcc, git from one file of the pipeline, kubectl
// from internal/kubectl, objcopy from internal/debuginfo.
var allowedRunners = map[string]string{
	"internal/cargo/runner.go":    "cargo",
	"internal/cargo/build.go":     "rustc",
	"internal/zigcc/":             "zig (its version; `zig cc` as the linker wrapper)",
	"internal/pipeline/git.go":    "git",
	"internal/kubectl/kubectl.go": "kubectl (apply: berth never talks to a cluster itself)",
	"internal/debuginfo/split.go": "objcopy (--split-debuginfo)",
	"internal/testenv/":           "test components (docker, registry, scanners)",
}

// TestWhoRunsPrograms: a new exec.Command anywhere else fails, so that
// running cargo, git or anything else stays in one place each.
func TestWhoRunsPrograms(t *testing.T) {
	for _, problem := range findRunners(t, []string{"cmd", "internal"}, allowedRunners) {
		t.Error(problem)
	}
}

// findRunners lists the calls that start a program (exec.Command,
// exec.CommandContext, os.StartProcess, syscall.Exec) in the non-test Go
// files under dirs, except in the allowed files or directories.
func findRunners(t *testing.T, dirs []string, allowed map[string]string) []string {
	t.Helper()
	var problems []string
	fset := token.NewFileSet()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || isAllowed(filepath.ToSlash(p), allowed) {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok && startsProgram(call) {
					problems = append(problems, fset.Position(call.Pos()).String()+" starts a program: only "+strings.Join(keys(allowed), ", ")+" may (deps_test.go)")
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return problems
}

func isAllowed(p string, allowed map[string]string) bool {
	for a := range allowed {
		if p == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(p, a)) {
			return true
		}
	}
	return false
}

func startsProgram(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	switch pkg.Name + "." + sel.Sel.Name {
	case "exec.Command", "exec.CommandContext", "os.StartProcess", "syscall.Exec", "syscall.ForkExec":
		return true
	}
	return false
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestWhoRunsProgramsFails proves the runner check can fail.
func TestWhoRunsProgramsFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "internal", "x")
	if err := writeFile(filepath.Join(dir, "x.go"), "package x\n\nimport \"os/exec\"\n\nfunc f() { _ = exec.Command(\"git\") }\n"); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(filepath.Dir(dir)))
	if got := findRunners(t, []string{"internal"}, allowedRunners); len(got) != 1 || !strings.Contains(got[0], "x.go") {
		t.Errorf("findRunners = %q, want the one exec.Command in x.go", got)
	}
}

func writeFile(p, content string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(content), 0o644)
}
