package client

// Fuzz targets for what m2mport reads from outside: pasted tokens (the checklist), operator
// scope text (ParseScopes) and the records the planner checks against Stytch's limits.
// Seed corpora live in testdata/fuzz/<target>/; .ci/run fuzzes each target briefly.

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

const fuzzKid = "jwk-test-fuzz"

// fuzzKey signs the fuzzed claims. 1024 bits: signing is most of an input's cost, and the
// checklist does not care about the key's size.
var fuzzKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return k
})

// fuzzKeys knows one key, fuzzKey's, under fuzzKid.
func fuzzKeys(_ context.Context, kid string) (crypto.PublicKey, error) {
	if kid != fuzzKid {
		return nil, fmt.Errorf("no key %s in the project's key set", kid)
	}
	return &fuzzKey().PublicKey, nil
}

// FuzzCheckToken feeds CheckToken arbitrary text, decoding only and with a key set: garbage
// gets ErrNotJWT in one line that does not echo the input, anything else a full checklist
// that passes only with a signature verified by a known key.
func FuzzCheckToken(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6Imp3ay10ZXN0LWZ1enoiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiJjbGllbnQtMSJ9.c2ln")
	f.Add("Bearer a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		want := Expect{ProjectID: project, ClientID: "client-1", Now: checkNow}
		for _, keys := range []KeyFunc{nil, fuzzKeys} {
			cl, err := CheckToken(context.Background(), NewSecret(token), keys, want)
			if err != nil {
				if !errors.Is(err, ErrNotJWT) || cl != nil {
					t.Fatalf("error %v (checklist %v): want ErrNotJWT and no checklist", err, cl)
				}
				raw := strings.TrimSpace(token)
				if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || (strings.Count(raw, ".") >= 2 && len(raw) > 8 && strings.Contains(msg, raw)) {
					t.Fatalf("the error should be one line that does not echo the token: %q", msg)
				}
				continue
			}
			names := []string{"signature", "typ", "iss", "aud", "sub", "scope", "exp", "lifetime", "nbf", "iat"}
			if len(cl.Checks) != len(names) {
				t.Fatalf("%d lines, want %d", len(cl.Checks), len(names))
			}
			for i, l := range cl.Checks {
				if l.Name != names[i] || (l.Status != CheckPass && l.Status != CheckFail && l.Status != CheckInfo) {
					t.Fatalf("line %d: %+v", i, l)
				}
				if l.Status == CheckFail && l.Note == "" {
					t.Fatalf("line %s fails without saying why", l.Name)
				}
			}
			sig, _ := cl.Line("signature")
			if keys == nil && sig.Status == CheckPass {
				t.Fatal("a signature passed with no key to check it against")
			}
			if cl.Passed() && keys != nil && sig.Status != CheckPass {
				t.Fatalf("passed with signature %+v", sig)
			}
			if sig.Status == CheckPass {
				// Only RS256 by the known key gets here: confirm with golang-jwt.
				if _, err := jwt.Parse(strings.TrimSpace(token), func(*jwt.Token) (any, error) { return &fuzzKey().PublicKey, nil },
					jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation(), jwt.WithPaddingAllowed()); err != nil {
					t.Fatalf("the checklist passed a signature golang-jwt refuses: %v", err)
				}
			}
			b, err := json.Marshal(cl)
			if err != nil {
				t.Fatalf("the checklist does not encode: %v", err)
			}
			if parts := strings.Split(strings.TrimSpace(token), "."); len(parts[2]) >= 16 && strings.Contains(string(b), parts[2]) {
				t.Fatal("the checklist carries the token's signature")
			}
		}
	})
}

// FuzzChecklistOfSignedClaims signs arbitrary header and payload JSON with the known key and
// checks it with every expectation set: whatever the claims, the checklist passes only what
// golang-jwt also accepts as an RS256 token for this project, issuer, client and time, with
// exactly the expected scopes.
func FuzzChecklistOfSignedClaims(f *testing.F) {
	iat := checkNow.Add(-time.Minute).Unix()
	f.Add(`{"alg":"RS256","kid":"jwk-test-fuzz","typ":"JWT"}`,
		fmt.Sprintf(`{"aud":[%q],"exp":%d,"iat":%d,"nbf":%d,"iss":"stytch.com/%s","scope":"read:users write:users","sub":"client-1"}`, project, iat+3600, iat, iat, project))
	f.Fuzz(func(t *testing.T, header, payload string) {
		enc := base64.RawURLEncoding.EncodeToString
		signingInput := enc([]byte(header)) + "." + enc([]byte(payload))
		sig, err := jwt.SigningMethodRS256.Sign(signingInput, fuzzKey())
		if err != nil {
			t.Fatal(err)
		}
		token := signingInput + "." + enc(sig)
		scopes := NewScopes("read:users", "write:users")
		cl, err := CheckToken(context.Background(), NewSecret(token), fuzzKeys,
			Expect{ProjectID: project, ClientID: "client-1", Scopes: &scopes, Now: checkNow})
		if err != nil {
			if !errors.Is(err, ErrNotJWT) {
				t.Fatalf("error %v: want ErrNotJWT", err)
			}
			return
		}
		if !cl.Passed() {
			return
		}
		parsed, err := jwt.Parse(token, func(tok *jwt.Token) (any, error) {
			return fuzzKeys(context.Background(), fmt.Sprint(tok.Header["kid"]))
		},
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(project), jwt.WithIssuer("stytch.com/"+project),
			jwt.WithSubject("client-1"), jwt.WithTimeFunc(func() time.Time { return checkNow }), jwt.WithLeeway(DefaultLeeway),
			jwt.WithExpirationRequired(), jwt.WithIssuedAt())
		if err != nil {
			t.Fatalf("the checklist passed a token golang-jwt refuses: %v\nheader %s\npayload %s", err, header, payload)
		}
		if parsed.Header["typ"] != "JWT" {
			t.Fatalf("passed with typ %v", parsed.Header["typ"])
		}
		scope, _ := parsed.Claims.(jwt.MapClaims)["scope"].(string)
		if !SplitScopes(scope).Equal(scopes) {
			t.Fatalf("passed with scope %q", scope)
		}
	})
}

// FuzzParseScopes checks ParseScopes against the rules it states: what it accepts is the
// set SplitScopes reads from the same text (a file's scopes column), of at most MaxScopes
// scopes that CheckScopes accepts and that reads back the same; what it refuses it refuses
// for a reason (a bad scope, too many) found where the error points.
func FuzzParseScopes(f *testing.F) {
	f.Add("read:orders write:orders")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseScopes(text)
		words := strings.Fields(text)
		if err == nil {
			if len(words) == 0 {
				if len(s) != 0 {
					t.Fatalf("blank text gave %q", s)
				}
				return
			}
			if !slices.IsSorted(s) || len(slices.Compact(slices.Clone(s))) != len(s) {
				t.Fatalf("not a set: %q", s)
			}
			if cerr := CheckScopes(s); cerr != nil {
				t.Fatalf("ParseScopes accepted %q, CheckScopes refuses it: %v", text, cerr)
			}
			if !s.Equal(SplitScopes(text)) {
				t.Fatalf("%q parsed as %q", text, s)
			}
			again, err := ParseScopes(s.String())
			if err != nil || !again.Equal(s) {
				t.Fatalf("%q does not read back: %q, %v", s.String(), again, err)
			}
			return
		}
		var se *ScopeSyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %T %v, want a *ScopeSyntaxError", err, err)
		}
		if se.Start < 0 || se.End <= se.Start || se.End > len(text) || !utf8.ValidString(text[:se.Start]) && utf8.ValidString(text) {
			t.Fatalf("span [%d,%d) of %d bytes", se.Start, se.End, len(text))
		}
		if se.Column != utf8.RuneCountInString(text[:se.Start])+1 {
			t.Fatalf("column %d for byte %d", se.Column, se.Start)
		}
		if strings.ContainsAny(se.Error(), "\r\n") || len(se.Error()) > 200 {
			t.Fatalf("the message should be one short line: %q", se.Error())
		}
		// It refuses only what breaks a rule.
		valid := true
		for _, w := range words {
			valid = valid && CheckScope(w) == nil
		}
		if valid && len(NewScopes(words...)) <= MaxScopes {
			t.Fatalf("%q breaks no rule, yet: %v", text, err)
		}
	})
}

// FuzzLimitBlockers checks LimitBlockers on arbitrary records: it names each problem in one
// short line that never shows the secret. Whether it blocks the right records is
// FuzzLimitsAgreeWithTheSandbox's question.
func FuzzLimitBlockers(f *testing.F) {
	f.Add("HCuHYoHrhT2OgacfzK0TVNc16uFbwZ7P", "s3cret-Xy9Q-abcdefgh", "Billing worker", "Nightly invoice run", "read:invoices write:invoices", []byte(`{"team":"billing"}`))
	f.Fuzz(func(t *testing.T, id, secret, name, description, scopes string, metadata []byte) {
		c := Client{ID: id, Secret: NewSecret(secret), Name: name, Description: description, Scopes: NewScopes(strings.Split(scopes, "\n")...)}
		_ = json.Unmarshal(metadata, &c.Metadata)
		bs := LimitBlockers(&c)
		for _, b := range bs {
			text := b.Message + " " + b.Hint
			if strings.ContainsAny(text, "\r\n\x1b") || len(b.Message) > 300 {
				t.Fatalf("%s: the message should be one short line: %q", b.Reason, b.Message)
			}
			if len(secret) >= 8 && strings.Contains(text, secret) && !strings.Contains(id+name+description+scopes+string(metadata), secret) {
				t.Fatalf("%s: the message shows the secret: %q", b.Reason, b.Message)
			}
		}
	})
}
