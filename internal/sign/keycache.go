package sign

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/berth-dev/berth/internal/atomicfile"
)

// keyCache keeps the public half of each cosign key berth has decrypted,
// named by the SHA-256 of the encrypted key file, in berth's cache
// directory. With it, a push whose signatures the registry already holds,
// made by that key, is known to be signed without decrypting the key
// (scrypt: a third of a second of CPU).
//
// A public key is no secret. The directory is the user's own (cachedir
// refuses one another user can write), and whoever can write there can
// also change what berth builds and signs; what a planted key could do is
// make berth leave signatures by that key in place instead of signing
// again, which `cosign verify --key` with the real key refuses.
type keyCache struct {
	file string // "" keeps nothing
}

func newKeyCache(dir string, keyFile []byte) keyCache {
	if dir == "" {
		return keyCache{}
	}
	sum := sha256.Sum256(keyFile)
	return keyCache{file: filepath.Join(dir, "signing-keys", hex.EncodeToString(sum[:])+".pub")}
}

// verifier is the remembered public key's verifier, nil when there is
// none or it cannot be read (a key is then decrypted as without a cache).
func (c keyCache) verifier() signature.Verifier {
	if c.file == "" {
		return nil
	}
	f, err := os.Open(c.file)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(data)
	if err != nil {
		return nil
	}
	v, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return nil
	}
	return v
}

// remember keeps pub, the decrypted key's public half, unless it is kept
// already. A cache that cannot be written costs the next push a
// decryption, nothing else.
func (c keyCache) remember(pub crypto.PublicKey) {
	if c.file == "" {
		return
	}
	pem, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return
	}
	if old, err := os.ReadFile(c.file); err == nil && string(old) == string(pem) {
		return
	}
	if err := os.MkdirAll(filepath.Dir(c.file), 0o700); err != nil {
		return
	}
	_ = atomicfile.WriteFile(context.Background(), c.file, func(w io.Writer) error {
		_, err := w.Write(pem)
		return err
	})
}
