package cargo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/berth-dev/berth/internal/workspace"
)

// Metadata runs `cargo metadata --no-deps` for the manifest: cargo's own
// view of the workspace, with no dependency resolution and so no network.
// It fills the model berth's reader (workspace.Load) fills, with the
// members as packages; berth asks cargo when its reader cannot answer.
func (r *Runner) Metadata(ctx context.Context, manifestPath string) (*workspace.Project, error) {
	args := []string{"metadata", "--no-deps", "--format-version", "1"}
	if manifestPath != "" {
		args = append(args, "--manifest-path", manifestPath)
	}
	out, err := r.Output(ctx, "", args...)
	if err != nil {
		return nil, err
	}
	return decodeMetadata(out)
}

// decodeMetadata reads `cargo metadata`'s JSON into the project model:
// members and default members are package ids there, flags and manifest
// paths in the model.
func decodeMetadata(out []byte) (*workspace.Project, error) {
	var m struct {
		workspace.Project
		Members  []string `json:"workspace_members"`
		Defaults []string `json:"workspace_default_members"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("decoding cargo metadata output: %w", err)
	}
	pr := &m.Project
	for i := range pr.Packages {
		p := &pr.Packages[i]
		p.Member = slices.Contains(m.Members, p.ID)
		if slices.Contains(m.Defaults, p.ID) {
			pr.DefaultMembers = append(pr.DefaultMembers, p.ManifestPath)
		}
	}
	return pr, nil
}
