package cargo

import (
	"strings"
	"testing"
)

// TestDecodeMetadata: cargo metadata's ids become the model's member flags
// and default-member manifest paths, as berth's reader spells them.
func TestDecodeMetadata(t *testing.T) {
	const pkgs = `"packages": [
		{"name": "a", "id": "ida", "manifest_path": "/w/a/Cargo.toml", "targets": [{"name": "a", "kind": ["bin"]}]},
		{"name": "b", "id": "idb", "manifest_path": "/w/b/Cargo.toml"}],
		"workspace_root": "/w", "target_directory": "/t"`
	tests := []struct {
		name        string
		json        string
		wantMembers string
		wantDefault string
		wantErr     string
	}{
		{"default members", `{` + pkgs + `, "workspace_members": ["ida", "idb"], "workspace_default_members": ["idb"]}`,
			"a b", "/w/b/Cargo.toml", ""},
		{"old cargo without default members", `{` + pkgs + `, "workspace_members": ["ida", "idb"]}`, "a b", "", ""},
		{"not json", `cargo: error`, "", "", "decoding cargo metadata output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := decodeMetadata([]byte(tt.json))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var members []string
			for _, p := range pr.Members() {
				members = append(members, p.Name)
			}
			if got := strings.Join(members, " "); got != tt.wantMembers {
				t.Errorf("members %q, want %q", got, tt.wantMembers)
			}
			if got := strings.Join(pr.DefaultMembers, " "); got != tt.wantDefault {
				t.Errorf("default members %q, want %q", got, tt.wantDefault)
			}
			if pr.WorkspaceRoot != "/w" || pr.TargetDirectory != "/t" || pr.Packages[0].Binaries()[0] != "a" {
				t.Errorf("project %+v: root, target dir or targets lost", pr)
			}
		})
	}
}
