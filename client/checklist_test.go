package client

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const project = "project-test-11111111-2222-3333-4444-555555555555"

var checkNow = time.Unix(1_800_000_000, 0)

func goodClaims() jwt.MapClaims {
	iat := checkNow.Add(-time.Minute).Unix()
	return jwt.MapClaims{
		"aud": []string{project}, "iss": "stytch.com/" + project, "sub": "client-1",
		"scope": "read:users write:users", "iat": iat, "nbf": iat, "exp": iat + 3600,
	}
}

func expectAll() Expect {
	s := NewScopes("write:users", "read:users")
	return Expect{ProjectID: project, ClientID: "client-1", Scopes: &s, Now: checkNow, Lifetime: time.Hour}
}

var testKeyB = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func keysOf(ft *fakeTarget) KeyFunc { return ft.Key }

func check(t *testing.T, token string, keys KeyFunc, want Expect) *Checklist {
	t.Helper()
	cl, err := CheckToken(context.Background(), NewSecret(token), keys, want)
	if err != nil {
		t.Fatalf("CheckToken: %v", err)
	}
	return cl
}

// failedLines returns the names of the failed lines.
func failedLines(cl *Checklist) []string {
	var out []string
	for _, l := range cl.Failed() {
		out = append(out, l.Name)
	}
	return out
}

func TestChecklistPassesAGoodToken(t *testing.T) {
	ft := newFake(project)
	cl := check(t, sign(ft.key, ft.kid, goodClaims()), keysOf(ft), expectAll())
	if !cl.Passed() {
		t.Fatalf("failed: %+v", cl.Failed())
	}
	names := []string{"signature", "typ", "iss", "aud", "sub", "scope", "exp", "lifetime", "nbf", "iat"}
	if len(cl.Checks) != len(names) {
		t.Fatalf("%d lines, want %d", len(cl.Checks), len(names))
	}
	for i, n := range names {
		if l := cl.Checks[i]; l.Name != n || l.Status != CheckPass || l.Actual == "" {
			t.Errorf("line %d: %+v, want %s passing with its actual value", i, l, n)
		}
	}
	if l, _ := cl.Line("scope"); l.Expected != "read:users write:users" {
		t.Errorf("scope expected %q", l.Expected)
	}
	if !strings.Contains(string(cl.Header), "\n  \"alg\": \"RS256\"") || !strings.Contains(string(cl.Payload), "\"sub\": \"client-1\"") {
		t.Errorf("header and payload should be indented JSON:\n%s\n%s", cl.Header, cl.Payload)
	}
	b, _ := json.Marshal(cl)
	if strings.Contains(string(b), "\n") {
		t.Error("the checklist's JSON should be compact")
	}
}

// The checklist keeps the token it checked, for a screen to copy on purpose, and the time
// each time claim holds, for a screen to say against its own clock; neither reaches its
// JSON, and the token prints masked.
func TestChecklistKeepsTheTokenAndTheClaimTimesForScreens(t *testing.T) {
	ft := newFake(project)
	token := sign(ft.key, ft.kid, goodClaims())
	cl := check(t, token, keysOf(ft), expectAll())
	if cl.Token.Reveal() != token {
		t.Error("the checklist does not keep the token it checked")
	}
	iat := time.Unix(goodClaims()["iat"].(int64), 0)
	for name, want := range map[string]time.Time{"exp": iat.Add(time.Hour), "nbf": iat, "iat": iat} {
		if l, _ := cl.Line(name); !l.At.Equal(want) {
			t.Errorf("%s at %v, want %v", name, l.At, want)
		}
	}
	if l, _ := cl.Line("sub"); !l.At.IsZero() {
		t.Errorf("sub has a time: %v", l.At)
	}
	b, _ := json.Marshal(cl)
	tail := token[len(token)-12:]
	if strings.Contains(string(b), tail) || strings.Contains(fmt.Sprintf("%v %+v", cl, *cl), tail) {
		t.Error("the token reached the checklist's JSON or its printed form")
	}
}

func TestChecklistRejectsForgedTokens(t *testing.T) {
	ft := newFake(project)
	good := sign(ft.key, ft.kid, goodClaims())
	with := func(edit func(jwt.MapClaims)) string {
		c := goodClaims()
		edit(c)
		return sign(ft.key, ft.kid, c)
	}
	none := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, goodClaims())
		tok.Header["kid"] = ft.kid
		s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	hmacWithPublicKey := func() string {
		der, err := x509.MarshalPKIXPublicKey(&ft.key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, goodClaims())
		tok.Header["kid"] = ft.kid
		s, err := tok.SignedString(pemKey)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tampered := func() string {
		parts := strings.Split(good, ".")
		c := goodClaims()
		c["scope"] = "read:users write:users admin"
		b, _ := json.Marshal(c)
		parts[1] = base64.RawURLEncoding.EncodeToString(b)
		return strings.Join(parts, ".")
	}
	otherKey := func() string { return sign(testKeyB(), ft.kid, goodClaims()) }
	unknownKid := sign(ft.key, "jwk-test-unknown", goodClaims())
	noTyp := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, goodClaims())
		tok.Header["kid"] = ft.kid
		delete(tok.Header, "typ")
		s, _ := tok.SignedString(ft.key)
		return s
	}

	cases := map[string]struct {
		token string
		fails []string
		note  string
	}{
		"alg none":              {none(), []string{"signature"}, "unsigned"},
		"HS256 with the pubkey": {hmacWithPublicKey(), []string{"signature"}, "HMAC"},
		"unknown kid":           {unknownKid, []string{"signature"}, "jwk-test-unknown"},
		"signed by another key": {otherKey(), []string{"signature"}, "does not match"},
		"tampered payload":      {tampered(), []string{"signature", "scope"}, "altered"},
		"no typ":                {noTyp(), []string{"typ"}, ""},
		"wrong iss":             {with(func(c jwt.MapClaims) { c["iss"] = "stytch.com/project-test-other" }), []string{"iss"}, "issued by someone else"},
		"wrong aud":             {with(func(c jwt.MapClaims) { c["aud"] = []string{"project-test-other"} }), []string{"aud"}, "not meant for this project"},
		"aud as a string":       {with(func(c jwt.MapClaims) { c["aud"] = "project-test-other" }), []string{"aud"}, ""},
		"wrong sub":             {with(func(c jwt.MapClaims) { c["sub"] = "client-2" }), []string{"sub"}, "client-1"},
		"missing scope":         {with(func(c jwt.MapClaims) { c["scope"] = "read:users" }), []string{"scope"}, "missing write:users"},
		"extra scope":           {with(func(c jwt.MapClaims) { c["scope"] = "read:users write:users admin" }), []string{"scope"}, "extra admin"},
		"no scope claim":        {with(func(c jwt.MapClaims) { delete(c, "scope") }), []string{"scope"}, "no scope claim"},
		"expired": {with(func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = checkNow.Add(-2*time.Hour).Unix(), checkNow.Add(-2*time.Hour).Unix(), checkNow.Add(-time.Hour).Unix()
		}), []string{"exp"}, "expired"},
		"not yet valid": {with(func(c jwt.MapClaims) {
			c["nbf"] = checkNow.Add(10 * time.Minute).Unix()
		}), []string{"nbf"}, "not valid yet"},
		"issued in the future": {with(func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = checkNow.Add(time.Hour).Unix(), checkNow.Unix(), checkNow.Add(2*time.Hour).Unix()
		}), []string{"iat"}, "future"},
		"lives a day": {with(func(c jwt.MapClaims) { c["exp"] = c["iat"].(int64) + 86400 }), []string{"lifetime"}, "longer or shorter"},
		"no exp":      {with(func(c jwt.MapClaims) { delete(c, "exp") }), []string{"exp", "lifetime"}, "missing"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cl := check(t, tc.token, keysOf(ft), expectAll())
			if cl.Passed() {
				t.Fatal("a forged or wrong token passed")
			}
			got := failedLines(cl)
			if strings.Join(got, ",") != strings.Join(tc.fails, ",") {
				t.Fatalf("failed lines %v, want %v", got, tc.fails)
			}
			if l, _ := cl.Line(tc.fails[0]); !strings.Contains(l.Note+l.Actual, tc.note) {
				t.Errorf("line %s says %q / %q, want it to mention %q", l.Name, l.Actual, l.Note, tc.note)
			}
		})
	}
}

// The lifetime line holds a token to the expires_in of the answer that gave it, whatever that
// was; a pasted token came with no answer, so its lifetime is shown, not judged.
func TestChecklistLifetimeFollowsTheTokenAnswer(t *testing.T) {
	ft := newFake(project)
	c := goodClaims()
	c["exp"] = c["iat"].(int64) + 7200
	tok := sign(ft.key, ft.kid, c)
	want := expectAll()
	want.Lifetime = 2 * time.Hour
	if cl := check(t, tok, keysOf(ft), want); !cl.Passed() {
		t.Fatalf("a two-hour token with expires_in 7200 failed: %+v", cl.Failed())
	}
	want.Lifetime = time.Hour
	if got := failedLines(check(t, tok, keysOf(ft), want)); strings.Join(got, ",") != "lifetime" {
		t.Fatalf("a two-hour token with expires_in 3600: failed %v, want lifetime", got)
	}
	want.Lifetime = 0
	cl := check(t, tok, keysOf(ft), want)
	if l, _ := cl.Line("lifetime"); !cl.Passed() || l.Status != CheckInfo || l.Actual != "2 h" || l.Expected != "" {
		t.Fatalf("without expires_in: %+v, want an informational line showing 2 h", l)
	}
}

func TestChecklistSmallClockSkewIsTolerated(t *testing.T) {
	ft := newFake(project)
	c := goodClaims()
	c["iat"], c["nbf"], c["exp"] = checkNow.Add(10*time.Second).Unix(), checkNow.Add(10*time.Second).Unix(), checkNow.Add(10*time.Second+time.Hour).Unix()
	if cl := check(t, sign(ft.key, ft.kid, c), keysOf(ft), expectAll()); !cl.Passed() {
		t.Fatalf("10 s of skew failed: %+v", cl.Failed())
	}
}

func TestChecklistWithoutExpectationsIsInformational(t *testing.T) {
	ft := newFake(project)
	cl := check(t, sign(ft.key, ft.kid, goodClaims()), nil, Expect{Now: checkNow})
	if !cl.Passed() {
		t.Fatalf("failed: %+v", cl.Failed())
	}
	for _, name := range []string{"signature", "iss", "aud", "sub", "scope"} {
		if l, _ := cl.Line(name); l.Status != CheckInfo || l.Actual == "" {
			t.Errorf("%s: %+v, want informational with the token's value", name, l)
		}
	}
	if l, _ := cl.Line("sub"); l.Actual != "client-1" {
		t.Errorf("sub shows %q", l.Actual)
	}
	// Decoding alone still refuses what no key can make right.
	none := jwt.NewWithClaims(jwt.SigningMethodNone, goodClaims())
	s, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if cl := check(t, s, nil, Expect{Now: checkNow}); cl.Passed() {
		t.Fatal("an unsigned token passed a decode-only check")
	}
}

func TestChecklistCustomIssuer(t *testing.T) {
	ft := newFake(project)
	c := goodClaims()
	c["iss"] = "https://login.example.com"
	want := expectAll()
	want.Issuers = []string{"stytch.com/" + project, "https://login.example.com"}
	if cl := check(t, sign(ft.key, ft.kid, c), keysOf(ft), want); !cl.Passed() {
		t.Fatalf("custom domain issuer failed: %+v", cl.Failed())
	}
}

func TestCheckTokenRefusesGarbageWithOneLine(t *testing.T) {
	for _, in := range []string{"", "hello", "a.b", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "e30.W10.x", strings.Repeat(".", 10)} {
		_, err := CheckToken(context.Background(), NewSecret(in), nil, Expect{})
		if !errors.Is(err, ErrNotJWT) {
			t.Errorf("%q: err %v, want ErrNotJWT", in, err)
			continue
		}
		if strings.Contains(err.Error(), "\n") || (len(in) > 8 && strings.Contains(err.Error(), in)) {
			t.Errorf("%q: the error should be one line and not echo the input: %v", in, err)
		}
	}
}

func TestCompareTokensSetsAuth0BesideStytch(t *testing.T) {
	ft := newFake(project)
	stytchTok := sign(ft.key, ft.kid, goodClaims())
	auth0Claims := jwt.MapClaims{"iss": "https://acme.us.auth0.com/", "sub": "client-1@clients", "aud": "https://api.example.com/",
		"scope": "read:users", "iat": 1_700_000_000, "exp": 1_700_086_400, "gty": "client-credentials"}
	lines, err := CompareTokens(NewSecret(sign(ft.key, "auth0", auth0Claims)), NewSecret(stytchTok))
	if err != nil {
		t.Fatal(err)
	}
	cl := &Checklist{Checks: lines}
	if !cl.Passed() {
		t.Fatalf("%+v", cl.Failed())
	}
	if l, _ := cl.Line("lifetime"); l.Expected != "24 h" || l.Actual != "1 h" {
		t.Errorf("lifetime %+v", l)
	}
	auth0Claims["sub"], auth0Claims["scope"] = "client-2@clients", "read:users admin"
	lines, _ = CompareTokens(NewSecret(sign(ft.key, "auth0", auth0Claims)), NewSecret(stytchTok))
	cl = &Checklist{Checks: lines}
	if got := failedLines(cl); strings.Join(got, ",") != "sub,scope" {
		t.Fatalf("failed %v", got)
	}
	if l, _ := cl.Line("scope"); !strings.Contains(l.Note, "admin") {
		t.Errorf("scope note %q", l.Note)
	}
	if _, err := CompareTokens(NewSecret("garbage"), NewSecret(stytchTok)); !errors.Is(err, ErrNotJWT) {
		t.Errorf("garbage: %v", err)
	}
}
