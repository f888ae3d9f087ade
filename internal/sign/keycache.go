package sign

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"

	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/berth-dev/berth/internal/stamp"
)

// keyCache keeps the public half of each cosign key berth has decrypted,
// under the SHA-256 of the encrypted key file, in berth's cache directory
// (a stamp.Store: one line, its DER in base64). With it, a push whose
// signatures the registry already holds, made by that key, is known to be
// signed without decrypting the key (scrypt: a third of a second of CPU).
//
// A public key is no secret. The directory is the user's own (cachedir
// refuses one another user can write), and whoever can write there can
// also change what berth builds and signs; what a planted key could do is
// make berth leave signatures by that key in place instead of signing
// again, which `cosign verify --key` with the real key refuses.
type keyCache struct {
	store stamp.Store
	key   string
}

func newKeyCache(dir string, keyFile []byte) keyCache {
	if dir == "" {
		return keyCache{}
	}
	sum := sha256.Sum256(keyFile)
	return keyCache{store: stamp.Store{Dir: filepath.Join(dir, "signing-keys")}, key: hex.EncodeToString(sum[:])}
}

// verifier is the remembered public key's verifier, nil when there is
// none or it cannot be read (a key is then decrypted as without a cache).
func (c keyCache) verifier() signature.Verifier {
	v, ok := c.store.Get(c.key)
	if !ok {
		return nil
	}
	der, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil
	}
	sv, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return nil
	}
	return sv
}

// remember keeps pub, the decrypted key's public half, unless it is kept
// already. A cache that cannot be written costs the next push a
// decryption, nothing else.
func (c keyCache) remember(pub crypto.PublicKey) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return
	}
	v := base64.StdEncoding.EncodeToString(der)
	if old, ok := c.store.Get(c.key); !ok || old != v {
		c.store.Put(c.key, v)
	}
}
