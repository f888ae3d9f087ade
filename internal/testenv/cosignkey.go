package testenv

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sigstore/cosign/v3/pkg/cosign"
)

// WriteCosignKey writes a cosign key pair encrypted with password into dir,
// as `cosign generate-key-pair` does (cosign.key, cosign.pub), and returns
// the private key's path and the public key (PEM).
func WriteCosignKey(dir, password string) (string, []byte, error) {
	k, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(password), nil })
	if err != nil {
		return "", nil, fmt.Errorf("making a cosign key pair: %w", err)
	}
	path := filepath.Join(dir, "cosign.key")
	if err := os.WriteFile(path, k.PrivateBytes, 0o600); err != nil {
		return "", nil, err
	}
	return path, k.PublicBytes, os.WriteFile(filepath.Join(dir, "cosign.pub"), k.PublicBytes, 0o644)
}
