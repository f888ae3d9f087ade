// Package sign signs a published image and its attachments with sigstore's
// libraries, as Sigstore bundles that cosign v3 verifies.
package sign
