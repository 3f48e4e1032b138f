package sandbox_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

// These tests speak raw HTTP to the sandbox, the way the real APIs would be spoken to, and
// check what the specs in ../shared/specs promise.

// start starts a sandbox that closes when the test ends, as every package's tests do.
var start = sandboxtest.Start

var httpClient = &http.Client{Timeout: 30 * time.Second}

// answer is an HTTP answer, read whole.
type answer struct {
	status int
	header http.Header
	raw    []byte
}

func (a answer) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.raw, &m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v: %s", a.status, err, a.raw)
	}
	return m
}

func (a answer) arr(t testing.TB) []any {
	t.Helper()
	var v []any
	if err := json.Unmarshal(a.raw, &v); err != nil {
		t.Fatalf("answer %d is not a JSON array: %v: %s", a.status, err, a.raw)
	}
	return v
}

type reqOpt func(*http.Request)

func bearer(tok string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func basic(id, secret string) reqOpt {
	return func(r *http.Request) { r.SetBasicAuth(id, secret) }
}

// body kinds for do
type formBody url.Values
type rawBody struct {
	contentType string
	data        string
}

// do sends one request; body is nil, formBody, rawBody or anything else (sent as JSON).
func do(t testing.TB, method, u string, body any, opts ...reqOpt) answer {
	t.Helper()
	a, err := tryDo(method, u, body, opts...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return a
}

func tryDo(method, u string, body any, opts ...reqOpt) (answer, error) {
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case formBody:
		rd, ct = strings.NewReader(url.Values(b).Encode()), "application/x-www-form-urlencoded"
	case rawBody:
		rd, ct = strings.NewReader(b.data), b.contentType
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return answer{}, err
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return answer{}, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, raw: raw}, err
}

// want fails unless got equals want, naming what.
func want[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// ---- JWT verification against a served JWKS, with golang-jwt, the way a verifier would.

func fetchJWKS(t testing.TB, u string) (keys map[string]*rsa.PublicKey, raw []map[string]any) {
	t.Helper()
	a := do(t, http.MethodGet, u, nil)
	if a.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, a.status, a.raw)
	}
	keys = map[string]*rsa.PublicKey{}
	for _, k := range a.obj(t)["keys"].([]any) {
		m := k.(map[string]any)
		raw = append(raw, m)
		n, err1 := base64.RawURLEncoding.DecodeString(str(m["n"]))
		e, err2 := base64.RawURLEncoding.DecodeString(str(m["e"]))
		if err1 != nil || err2 != nil {
			t.Fatalf("JWK %v: bad n or e", m["kid"])
		}
		keys[str(m["kid"])] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return keys, raw
}

// verify checks tok's RS256 signature against keys (by kid) and returns header and claims.
func verify(t testing.TB, tok string, keys map[string]*rsa.PublicKey, opts ...jwt.ParserOption) (map[string]any, jwt.MapClaims) {
	t.Helper()
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(tok, claims, func(tk *jwt.Token) (any, error) {
		k := keys[str(tk.Header["kid"])]
		if k == nil {
			return nil, fmt.Errorf("unknown kid %v", tk.Header["kid"])
		}
		return k, nil
	}, append([]jwt.ParserOption{jwt.WithValidMethods([]string{"RS256"})}, opts...)...)
	if err != nil {
		t.Fatalf("token does not verify against the JWKS: %v", err)
	}
	return parsed.Header, claims
}

// rawClaims decodes a JWT's payload without verifying, to see exact JSON types (aud string
// vs array).
func rawClaims(t testing.TB, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is safe for the sandbox's concurrent log writes.
type syncBuffer = sandboxtest.Buffer

// stats reads GET /_sandbox/stats.
var stats = sandboxtest.Stats

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
