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
	"net/url"
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

// verticalState is the project's vertical: given (by the operator, or saved with the
// credentials), found by reading the keys, or not known yet.
type verticalState struct {
	mu    sync.Mutex
	v     client.Vertical
	given bool
}

// Vertical is the project's vertical as far as the target knows it: given, or found by an
// earlier key fetch; VerticalUnknown before that.
func (t *Target) Vertical() client.Vertical {
	t.vertical.mu.Lock()
	defer t.vertical.mu.Unlock()
	return t.vertical.v
}

// FindVertical returns the project's vertical, reading its signing keys when it is not known
// yet (which also fills the key cache).
func (t *Target) FindVertical(ctx context.Context) (client.Vertical, error) {
	if v := t.Vertical(); v != client.VerticalUnknown {
		return v, nil
	}
	kc := &t.keys
	kc.mu.Lock()
	defer kc.mu.Unlock()
	keys, err := t.fetchKeys(ctx)
	if err != nil {
		return client.VerticalUnknown, err
	}
	kc.keys, kc.fetched = keys, kc.now()
	return t.Vertical(), nil
}

func jwksPath(v client.Vertical, projectID string) string {
	if v == client.VerticalConsumer {
		return userJWKSPath + url.PathEscape(projectID)
	}
	return b2bJWKSPath + url.PathEscape(projectID)
}

// fetchKeys reads the JWKS at the project's vertical's path. With the vertical unknown it
// tries the B2B path, then on a 4xx the consumer one, and remembers which served the keys:
// each vertical serves its keys only at its own path and answers an error at the other (spec
// §2; which error is not documented, so any 4xx counts). It needs no credentials, so it
// sends none.
func (t *Target) fetchKeys(ctx context.Context) (map[string]crypto.PublicKey, error) {
	t.vertical.mu.Lock()
	v, given := t.vertical.v, t.vertical.given
	t.vertical.mu.Unlock()
	if v != client.VerticalUnknown {
		keys, err := t.fetchKeysAt(ctx, jwksPath(v, t.projectID))
		if err != nil && notThisVertical(err) {
			other := client.VerticalConsumer
			if v == client.VerticalConsumer {
				other = client.VerticalB2B
			}
			how := "was found earlier"
			if given {
				how = "was given (" + envVerticalHint + ") or saved with the credentials"
			}
			var ae *client.APIError
			if errors.As(err, &ae) {
				ae.Hint = fmt.Sprintf("the project's vertical %s as %s, but Stytch serves no keys there: if the project is %s, say so, or leave the vertical out and m2mport finds it",
					how, v.Title(), other.Title())
			}
		}
		return keys, err
	}
	keys, err := t.fetchKeysAt(ctx, jwksPath(client.VerticalB2B, t.projectID))
	found := client.VerticalB2B
	if err != nil && notThisVertical(err) {
		var consumerErr error
		keys, consumerErr = t.fetchKeysAt(ctx, jwksPath(client.VerticalConsumer, t.projectID))
		found = client.VerticalConsumer
		switch {
		case consumerErr == nil:
			err = nil
		case notThisVertical(consumerErr):
			var ae *client.APIError
			if errors.As(consumerErr, &ae) {
				ae.Hint = "neither the B2B nor the consumer key path knows this project: check the project ID (and the base URL)"
			}
			err = consumerErr
		default:
			err = consumerErr
		}
	}
	if err != nil {
		return nil, err
	}
	t.vertical.mu.Lock()
	if t.vertical.v == client.VerticalUnknown {
		t.vertical.v = found
	}
	t.vertical.mu.Unlock()
	return keys, nil
}

// envVerticalHint names how the operator gives a vertical, for hints.
const envVerticalHint = "STYTCH_VERTICAL or a vertical flag"

// notThisVertical reports whether a key fetch's error says "no such project at this path":
// any 4xx other than a rate limit.
func notThisVertical(err error) bool {
	s := client.StatusOf(err)
	return s >= 400 && s < 500 && s != http.StatusTooManyRequests
}

func (t *Target) fetchKeysAt(ctx context.Context, path string) (map[string]crypto.PublicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	req := &httpx.Request{Method: http.MethodGet, Path: path, Idempotent: true}
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
		return nil, &client.APIError{API: "stytch", Method: http.MethodGet, Path: path, Status: http.StatusOK,
			Message: "the key set holds no usable RSA signing key", Hint: "check the project ID and the base URL"}
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
