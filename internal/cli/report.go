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

// checkOutputPaths refuses an SBOM file at an image output's path: one
// would overwrite the other.
func checkOutputPaths(sbomOut string, out publish.Outputs) error {
	if sbomOut == "" {
		return nil
	}
	for _, o := range []struct{ flag, path string }{{"--tarball", out.Tarball}, {"--oci-layout", out.Layout}} {
		if o.path != "" && filepath.Clean(o.path) == filepath.Clean(sbomOut) {
			return usagef("--sbom-out %s is also %s: give the SBOM a path of its own", sbomOut, o.flag)
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
