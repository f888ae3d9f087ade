package recipe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/cargo"
	"github.com/berth-dev/berth/internal/workspace"
)

// unmask puts the fields the recipe masks back into every manifest of r.
func unmask(t *testing.T, r *Recipe) *Recipe {
	t.Helper()
	out := *r
	out.Files = slices.Clone(r.Files)
	for i, f := range out.Files {
		if f.Kind != KindManifest {
			continue
		}
		raw, err := workspace.DecodeTOML(f.Path, []byte(f.Contents))
		if err != nil {
			t.Fatal(err)
		}
		pkg := workspace.Table(raw, "package")
		if pkg == nil {
			continue
		}
		pkg["description"], pkg["readme"], pkg["homepage"] = "a description "+f.Path, "README.md", "https://example.com"
		pkg["documentation"], pkg["repository"], pkg["publish"] = "https://docs.example.com", "https://example.com/git", false
		pkg["authors"], pkg["keywords"], pkg["categories"] = []any{"A <a@example.com>"}, []any{"fixture"}, []any{"development-tools"}
		raw["badges"] = map[string]any{"maintenance": map[string]any{"status": "experimental"}}
		data, err := workspace.EncodeTOML(raw)
		if err != nil {
			t.Fatal(err)
		}
		out.Files[i] = newFile(f.Path, KindManifest, data)
	}
	return &out
}

// TestMaskedFieldsCompileTheSame: the fields the recipe masks reach no
// dependency. The churn workspace cooked with and without them compiles the
// same third-party artifacts, byte for byte.
func TestMaskedFieldsCompileTheSame(t *testing.T) {
	env, _, ctx := churnSetup(t)
	runner := &cargo.Runner{Env: env, Stderr: io.Discard}
	masked, _, _, _ := prepareChurn(t, ctx)
	unmasked := unmask(t, masked)
	if string(encode(t, masked)) == string(encode(t, unmasked)) {
		t.Fatal("unmask changed nothing: this test shows nothing")
	}
	var sums []map[string]string
	for _, r := range []*Recipe{masked, unmasked} {
		dir := filepath.Join(t.TempDir(), "app")
		res, err := Cook(context.Background(), r, CookOptions{Dir: dir, Flags: churnFlags, Runner: runner})
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, thirdPartyArtifacts(t, filepath.Join(res.TargetDir, "debug", "deps")))
	}
	if len(sums[0]) < 9 {
		t.Fatalf("only %d third-party artifacts: %v", len(sums[0]), sums[0])
	}
	for name, sum := range sums[0] {
		if sums[1][name] != sum {
			t.Errorf("%s: %s with the mask, %q without", name, sum, sums[1][name])
		}
	}
	if len(sums[0]) != len(sums[1]) {
		t.Errorf("%d third-party artifacts with the mask, %d without", len(sums[0]), len(sums[1]))
	}
}

// thirdPartyArtifacts maps each compiled library of a third-party crate in
// deps/ (its name carries cargo's metadata hash) to its SHA-256.
func thirdPartyArtifacts(t *testing.T, deps string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(deps)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".rlib") && !strings.HasSuffix(n, ".rmeta") && !strings.HasSuffix(n, ".so") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(deps, n))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		out[n] = hex.EncodeToString(sum[:])
	}
	return out
}
