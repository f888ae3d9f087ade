package verify

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/internal/provenance"
	"github.com/berth-dev/berth/internal/publish"
)

// openAttester checks, before the rebuild, that --attest can sign and has
// somewhere to go: the attestation goes where the image was read (its OCI
// layout, its registry repository) and to --attest-out; a docker-archive
// cannot hold it, so there --attest-out is needed. nil without --attest.
func openAttester(ctx context.Context, o Options, s *subject) (*publish.Attester, error) {
	if !o.Attest {
		if o.AttestOut != "" || o.Key != "" {
			return nil, cannot("--attest-out and a private --key (cosign.key) are for --attest: add --attest, or drop them")
		}
		return nil, nil
	}
	if s.archive != "" && o.AttestOut == "" {
		return nil, cannot("--attest: a docker-archive (%s) cannot hold an attestation; give --attest-out FILE for the signed bundle", s.archive)
	}
	a, err := publish.OpenAttestation(ctx, publish.AttestTo{Layout: s.layout, Repo: s.repo, File: o.AttestOut, Key: o.Key})
	if err != nil {
		return nil, cannot("%v", err)
	}
	return a, nil
}

// stopOnKeyError is ctx, cancelled with the key's error (exit 2) as its
// cause when the signing key, decrypted beside the rebuild, cannot be
// loaded: a wrong COSIGN_PASSWORD stops the rebuild instead of being found
// after it.
func stopOnKeyError(ctx context.Context, a *publish.Attester) (context.Context, context.CancelCauseFunc) {
	ctx, stop := context.WithCancelCause(ctx)
	if a != nil {
		go func() {
			if err := a.Ready(ctx); err != nil && ctx.Err() == nil {
				stop(cannot("%v", err))
			}
		}()
	}
	return ctx, stop
}

// attest signs and attaches the "reproduced" statement about the image. A
// key that cannot be loaded is the user's error (exit 2) here too: a
// rebuild from a warm target directory can finish before the key's
// decryption fails.
func attest(ctx context.Context, a *publish.Attester, o Options, s *subject, prov *provenance.Parsed, res *Result) ([]string, error) {
	if err := a.Ready(ctx); err != nil {
		return nil, cannot("%v", err)
	}
	st, err := provenance.Reproduced(provenance.Reproduction{
		Subject: s.digest.String(), Provenance: s.statement, Source: *prov.Build.Dependencies.Source,
		Rebuilt: res.Rebuilt, BerthVersion: o.Version,
	})
	if err != nil {
		return nil, err
	}
	desc := s.desc
	desc.Digest = s.digest
	where, err := a.Attach(ctx, desc, st, provenance.ReproducedType)
	if err != nil {
		return where, fmt.Errorf("%s was reproduced, but its attestation was not attached: %w", o.Image, err)
	}
	return where, nil
}
