package pipeline

import (
	"context"
	"os/exec"
	"strings"

	"github.com/berth-dev/berth/internal/workspace"
)

// Labels are the org.opencontainers.image.* annotations a package's
// Cargo.toml can tell, plus the git revision of dir when its work tree is
// clean (a dirty tree's commit would name code the image does not hold).
func Labels(ctx context.Context, p *workspace.Package, dir string) map[string]string {
	l := map[string]string{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			l["org.opencontainers.image."+k] = v
		}
	}
	set("title", p.Name)
	set("version", p.Version)
	set("description", p.Description)
	set("licenses", p.License)
	set("source", p.Repository)
	set("url", p.Homepage)
	set("authors", strings.Join(p.Authors, ", "))
	set("revision", gitRevision(ctx, dir))
	return l
}

// gitRevision is HEAD's commit when dir is in a git work tree with no
// uncommitted changes, else "".
func gitRevision(ctx context.Context, dir string) string {
	status, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output()
	if err != nil || len(strings.TrimSpace(string(status))) != 0 {
		return ""
	}
	head, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(head))
}
