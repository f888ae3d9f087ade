package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeployUsage: resolve, apply and index refuse a bad command line with
// exit 2 and a message naming what to give, before anything is built or
// sent.
func TestDeployUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("# x\nimage: berth://a/b/c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BERTH_REPO", "")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"resolve without -f", []string{"resolve", "--repo", "r.example/x"}, "give the YAML with -f"},
		{"resolve without a repository", []string{"resolve", "-f", bad}, "give --repo or set BERTH_REPO"},
		{"a malformed reference", []string{"resolve", "-f", bad, "--repo", "r.example/x"}, bad + ":2: \"berth://a/b/c\" is not a reference"},
		{"a missing file", []string{"resolve", "-f", filepath.Join(dir, "none.yaml"), "--repo", "r.example/x"}, "none.yaml"},
		{"--bin is the reference's", []string{"resolve", "-f", bad, "--bin", "x"}, "unknown flag: --bin"},
		{"-t is the repository's", []string{"resolve", "-f", bad, "-t", "x"}, "unknown shorthand flag: 't'"},
		{"kubectl's flags after --", []string{"apply", "-f", bad, "--repo", "r.example/x", "prod"}, `kubectl's flags go after --`},
		{"index without images", []string{"index", "-t", "r.example/x:1"}, "give the images to merge"},
		{"index without a tag", []string{"index", "r.example/x@sha256:" + strings.Repeat("a", 64)}, "give -t/--tag"},
		{"index of a tag", []string{"index", "-t", "r.example/x:1", "r.example/x:amd64"}, "is not IMAGE@sha256:DIGEST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), tc.args, &out, &errb)
			if code != exitUsage || !strings.Contains(errb.String(), tc.want) || out.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out.String(), errb.String(), tc.want)
			}
		})
	}
}
