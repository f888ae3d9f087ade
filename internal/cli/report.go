package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/berth-dev/berth/internal/publish"
)

// report prints what was published on stdout: one "<ref>@sha256:<digest>"
// line per reference, or with asJSON one JSON document, also when the
// build failed (the report's error, returned as it is).
func report(s *streams, asJSON bool, r publish.Report, err error) error {
	if !asJSON {
		for _, l := range r.Lines() {
			fmt.Fprintln(s.Out, l)
		}
		return err
	}
	if r.Images == nil {
		r.Images = []publish.Entry{}
	}
	if err != nil && r.Error == "" {
		r.Error = err.Error()
	}
	out, jerr := json.MarshalIndent(r, "", "  ")
	if jerr != nil {
		return jerr
	}
	fmt.Fprintln(s.Out, string(out))
	return err
}

// checkOutputPaths refuses two outputs at one path (the SBOM's, the
// provenance's, an image's): one would overwrite the other.
func checkOutputPaths(sbomOut, provOut string, out publish.Outputs) error {
	paths := []struct{ flag, path string }{{"--sbom-out", sbomOut}, {"--provenance-out", provOut}, {"--tarball", out.Tarball}, {"--oci-layout", out.Layout}}
	for i, a := range paths[:2] {
		for _, b := range paths[i+1:] {
			if a.path != "" && b.path != "" && filepath.Clean(a.path) == filepath.Clean(b.path) {
				return usagef("%s %s is also %s: give each output a path of its own", a.flag, a.path, b.flag)
			}
		}
	}
	return nil
}

// checkSignFlags refuses signing flags that cannot go together: a
// signature names an image by digest in a repository, so it needs --push.
func checkSignFlags(out publish.Outputs) error {
	switch {
	case out.SignKey != "" && !out.Sign:
		return usagef("--key is the signing key of --sign: add --sign, or drop --key")
	case out.Sign && !out.Push:
		return usagef("--sign signs what is pushed to a registry (a signature names the image by digest in a repository): add --push and a tag")
	}
	return nil
}
