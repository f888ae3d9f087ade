package cargo

import "github.com/berth-dev/berth/internal/workspace"

// Message is one line of cargo's --message-format=json output; only the
// fields berth uses are decoded.
type Message struct {
	Reason    string            `json:"reason"`
	PackageID string            `json:"package_id"`
	Target    *workspace.Target `json:"target"`
	Profile   struct {
		Test bool `json:"test"`
	} `json:"profile"`
	Filenames  []string `json:"filenames"`
	Executable string   `json:"executable"`
	Fresh      bool     `json:"fresh"`
	Success    bool     `json:"success"`
	// OutDir is a build script's OUT_DIR (build-script-executed).
	OutDir string `json:"out_dir"`
}
