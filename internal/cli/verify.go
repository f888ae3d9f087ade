package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/internal/verify"
)

func init() { subcommands = append(subcommands, newVerifyCmd) }

func newVerifyCmd(s *streams) *cobra.Command {
	o := verify.Options{Log: s.Err}
	var keys []string
	cmd := &cobra.Command{
		Use:   "verify IMAGE [flags]",
		Short: "Prove an image by rebuilding it from its provenance and comparing digests",
		Long: `Prove an image by rebuilding it from its provenance and comparing digests.

IMAGE is oci:DIR (an OCI layout), docker-archive:FILE (as --tarball or
docker save writes it; give its provenance with --provenance) or a registry
reference. verify
reads the image's SLSA provenance, checks that it is about the image, checks
out the recorded commit from --source into a temporary directory, builds it
again with the recorded settings, and compares digests.

With --key cosign.pub (or --certificate-identity and --certificate-oidc-issuer
for a keyless signer), the image is first checked, in its registry, for its
signer's signature (cosign sign) and for a provenance the same signer
attested; only that provenance is followed.

With --attest, a match is attested: a signed in-toto statement that the image
was reproduced, attached where the image was read (its OCI layout or its
registry) and written to --attest-out.

Exit codes: 0 reproduced (and attested, with --attest), 1 differs (the
differing inputs, layer and files are listed; nothing is attested), is not
signed as --key or --certificate-* require (nothing is rebuilt) or the
attestation could not be attached, 2 cannot check (no provenance, another
image's provenance, a dirty source recorded, a commit the repository lacks,
--attest without a key or token, bad input).`,
		Example: `  cargo berth verify oci:target/berth/api
  cargo berth verify registry.example.com/api:1.2 --key cosign.pub
  cargo berth verify registry.example.com/api:1.2 --source ~/src/api --attest --key cosign.key
  cargo berth verify docker-archive:api.tar --provenance api.intoto.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("verify takes one IMAGE (oci:DIR, docker-archive:FILE or a registry reference), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.Version = args[0], Version()
			if err := verify.SortKeys(keys, &o); err != nil {
				return err
			}
			return runVerify(cmd.Context(), s, o)
		},
	}
	addVerifyFlags(cmd, &o, &keys)
	return cmd
}

func addVerifyFlags(cmd *cobra.Command, o *verify.Options, keys *[]string) {
	f := cmd.Flags()
	f.StringVar(&o.Source, "source", "", "the git repository holding the recorded commit (default: the current directory's)")
	f.StringVar(&o.Provenance, "provenance", "", "read the provenance statement from this file instead of the image's attachments")
	f.BoolVar(&o.Keep, "keep", false, "keep the temporary checkout and say where it is")
	f.BoolVar(&o.Attest, "attest", false, "on a match, sign a \"reproduced\" attestation and attach it where the image was read")
	f.StringVar(&o.AttestOut, "attest-out", "", "with --attest, also write the signed attestation (a Sigstore bundle) to this file")
	f.StringArrayVar(keys, "key", nil, "a cosign public key (cosign.pub): the image must be signed by it, and its provenance attested, before it is rebuilt; a cosign private key (cosign.key): with --attest, signs the attestation (password in COSIGN_PASSWORD; default: keyless with an OIDC token). Give both with two --key")
	f.StringVar(&o.Trust.Identity, "certificate-identity", "", "the image must be signed keyless by this identity (a certificate's email or URI), and its provenance attested")
	f.StringVar(&o.Trust.IdentityRegexp, "certificate-identity-regexp", "", "as --certificate-identity, a regular expression")
	f.StringVar(&o.Trust.Issuer, "certificate-oidc-issuer", "", "the OIDC issuer of the keyless identity (https://token.actions.githubusercontent.com for GitHub Actions)")
	f.StringVar(&o.Trust.IssuerRegexp, "certificate-oidc-issuer-regexp", "", "as --certificate-oidc-issuer, a regular expression")
	f.StringVar(&o.Trust.TrustedRoot, "trusted-root", "", "a Sigstore trusted_root.json for keyless signatures (default: the public Sigstore's, fetched through its TUF repository)")
	f.BoolVar(&o.Trust.IgnoreSCT, "insecure-ignore-sct", false, "do not require the keyless certificate's proof that the CA logged it (as cosign's flag)")
}

// errDiffers is a rebuild that gave another digest: exit 1.
var errDiffers = errors.New("the rebuild differs from the image")

func runVerify(ctx context.Context, s *streams, o verify.Options) error {
	res, err := verify.Run(ctx, o)
	if res == nil || (err != nil && !res.Reproduced) {
		return err
	}
	if res.Checkout != "" {
		fmt.Fprintf(s.Err, "checkout kept at %s\n", res.Checkout)
	}
	if res.Reproduced {
		fmt.Fprintf(s.Out, "reproduced %s@%s\n", o.Image, res.Digest)
		if res.Note != "" {
			fmt.Fprintf(s.Err, "note: %s\n", res.Note)
		}
		for _, w := range res.Attested {
			fmt.Fprintf(s.Out, "attested %s\n", w)
		}
		return err
	}
	fmt.Fprintf(s.Out, "differs: %s is %s, the rebuild %s\n%s\n", o.Image, res.Digest, res.Rebuilt, strings.Join(res.Why, "\n"))
	return errDiffers
}
