package pipeline

import (
	"context"
	"strings"

	"github.com/berth-dev/berth/internal/workspace"
)

// Labels are the org.opencontainers.image.* annotations a package's
// Cargo.toml can tell, plus the git revision of dir when its work tree is
// clean (a dirty tree's commit would name code the image does not hold).
func Labels(ctx context.Context, p *workspace.Package, dir string) map[string]string {
	return labelsOf(p, lookGit(ctx, dir))
}

// labelsOf are p's labels at the git source g.
func labelsOf(p *workspace.Package, g gitSource) map[string]string {
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
	set("revision", g.revision())
	return l
}
