package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// rsaKey is a signing key with its self-signed certificate (for the x5c/x5t JWK members and
// Auth0's signing_keys).
type rsaKey struct {
	priv    *rsa.PrivateKey
	certDER []byte
}

// RSA keys are generated once per process and shared by every sandbox in it: generating a
// 2048-bit key takes long enough that tests starting dozens of sandboxes would notice. Keys
// are handed out by index: 0 signs Auth0 tokens, 1, 2, … Stytch's (rotation takes the next).
// Tokens from one sandbox never pass in another because iss/aud carry the listener's URL or
// the project id, which the verifier checks.
var keyPool struct {
	sync.Mutex
	keys []*rsaKey
}

func poolKey(i int) (*rsaKey, error) {
	keyPool.Lock()
	defer keyPool.Unlock()
	for len(keyPool.keys) <= i {
		k, err := newRSAKey()
		if err != nil {
			return nil, err
		}
		keyPool.keys = append(keyPool.keys, k)
	}
	return keyPool.keys[i], nil
}

func newRSAKey() (*rsaKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "m2mport sandbox"},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2044, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("self-sign signing key: %w", err)
	}
	return &rsaKey{priv: priv, certDER: der}, nil
}

// signer signs RS256 tokens with one key under one kid.
type signer struct {
	kid string
	key *rsaKey
}

func (s signer) sign(claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = s.kid // golang-jwt already sets alg RS256 and typ JWT
	return t.SignedString(s.key.priv)
}

// thumbprint is a stable short fingerprint of the public key, used to derive kids.
func (k *rsaKey) thumbprint() [32]byte {
	return sha256.Sum256(k.priv.PublicKey.N.Bytes())
}

func (k *rsaKey) certPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.certDER}))
}

// jwkMembers are the members every JWK we serve carries.
func (k *rsaKey) jwkMembers(kid string) map[string]any {
	return map[string]any{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": kid,
		"n":   b64url(k.priv.PublicKey.N.Bytes()),
		"e":   b64url(big.NewInt(int64(k.priv.PublicKey.E)).Bytes()),
		"x5c": []string{base64.StdEncoding.EncodeToString(k.certDER)},
	}
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func sha1Thumb(der []byte) string {
	sum := sha1.Sum(der)
	return b64url(sum[:])
}

func sha256Thumb(der []byte) string {
	sum := sha256.Sum256(der)
	return b64url(sum[:])
}

// uuidFrom formats the first 16 bytes of b as a version-4-shaped UUID.
func uuidFrom(b []byte) string {
	var u [16]byte
	copy(u[:], b)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
