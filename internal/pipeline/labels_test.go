package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/workspace"
)

func TestLabels(t *testing.T) {
	pkg := &workspace.Package{Name: "api", Version: "1.2.3", Description: " An API ", License: "MIT",
		Repository: "https://example.com/api", Authors: []string{"A <a@x>", "B"}}
	dir := t.TempDir()
	got := Labels(context.Background(), pkg, dir)
	want := map[string]string{
		"org.opencontainers.image.title":       "api",
		"org.opencontainers.image.version":     "1.2.3",
		"org.opencontainers.image.description": "An API",
		"org.opencontainers.image.licenses":    "MIT",
		"org.opencontainers.image.source":      "https://example.com/api",
		"org.opencontainers.image.authors":     "A <a@x>, B",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, k := range []string{"org.opencontainers.image.url", "org.opencontainers.image.revision"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s set from an empty value or outside git", k)
		}
	}
}

func TestLabelsRevision(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	os.WriteFile(filepath.Join(dir, "Cargo.toml"), []byte("[package]\n"), 0o644)
	git("add", ".")
	git("commit", "-qm", "x")
	head := git("rev-parse", "HEAD")
	pkg := &workspace.Package{Name: "api"}
	if got := Labels(context.Background(), pkg, dir)["org.opencontainers.image.revision"]; got != head {
		t.Errorf("clean tree: revision = %q, want %s", got, head)
	}
	os.WriteFile(filepath.Join(dir, "Cargo.toml"), []byte("[package]\nname = \"x\"\n"), 0o644)
	if got, ok := Labels(context.Background(), pkg, dir)["org.opencontainers.image.revision"]; ok {
		t.Errorf("dirty tree: revision = %q, want none (the commit does not hold the built code)", got)
	}
}
