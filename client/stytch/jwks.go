package stytch

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/internal/httpx"
)

// ErrUnknownKey is wrapped by Key when the project's key set has no key with the kid.
var ErrUnknownKey = errors.New("no such signing key in the project's key set")

// minRSABits refuses keys too weak to trust a signature from.
const minRSABits = 2048

// keyCache holds the project's public keys by kid. It fetches the set on first use and again
// only for a kid it does not know, at most once per `every`: keys rotate (two may be served
// at once), and a verifier meeting a new kid must look again, but a token naming made-up
// kids must not make it hammer the API.
type keyCache struct {
	mu      sync.Mutex
	keys    map[string]crypto.PublicKey
	fetched time.Time
	every   time.Duration
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error // waits for the next allowed fetch
}

// Key returns the project's public key with the given kid. An unknown kid refetches the
// key set, at most once every JWKSRefetchEvery: within that, it waits for the next fetch
// rather than fail, since a kid new to us is what a key rotation looks like mid-run. A kid
// still unknown after a fetch it waited for is ErrUnknownKey.
func (t *Target) Key(ctx context.Context, kid string) (crypto.PublicKey, error) {
	kc := &t.keys
	for waited := false; ; waited = true {
		kc.mu.Lock()
		if k, ok := kc.keys[kid]; ok {
			kc.mu.Unlock()
			return k, nil
		}
		wait := kc.every - kc.now().Sub(kc.fetched)
		if kc.fetched.IsZero() || wait <= 0 {
			defer kc.mu.Unlock() // one fetch at a time; the others find its keys
			keys, err := t.fetchKeys(ctx)
			if err != nil {
				return nil, fmt.Errorf("fetch the project's signing keys: %w", err)
			}
			kc.keys, kc.fetched = keys, kc.now()
			if k, ok := keys[kid]; ok {
				return k, nil
			}
			return nil, fmt.Errorf("key %q: %w", kid, ErrUnknownKey)
		}
		kc.mu.Unlock()
		if waited {
			return nil, fmt.Errorf("key %q: %w", kid, ErrUnknownKey)
		}
		if err := kc.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("key %q: %w", kid, err)
		}
	}
}

// fetchKeys reads the JWKS. It needs no credentials, so it sends none.
func (t *Target) fetchKeys(ctx context.Context) (map[string]crypto.PublicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	req := &httpx.Request{Method: http.MethodGet, Path: t.jwksPath, Idempotent: true}
	if err := t.api.Do(ctx, req, &set); err != nil {
		return nil, err
	}
	keys := make(map[string]crypto.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		if pub, err := k.rsaKey(); err == nil && k.Kid != "" {
			keys[k.Kid] = pub
		}
	}
	if len(keys) == 0 {
		return nil, &client.APIError{API: "stytch", Method: http.MethodGet, Path: t.jwksPath, Status: http.StatusOK,
			Message: "the key set holds no usable RSA signing key", Hint: "check the project ID and whether the project is B2B or consumer"}
	}
	return keys, nil
}

func (k jwk) rsaKey() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
		return nil, errors.New("not an RSA signing key")
	}
	n, err := b64url(k.N)
	if err != nil {
		return nil, err
	}
	e, err := b64url(k.E)
	if err != nil {
		return nil, err
	}
	if len(e) == 0 || len(e) > 4 {
		return nil, errors.New("bad exponent")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < minRSABits || pub.E < 3 || pub.E%2 == 0 {
		return nil, errors.New("weak key")
	}
	return pub, nil
}

func b64url(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
