package client

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CheckStatus is the outcome of one checklist line.
type CheckStatus string

const (
	CheckPass CheckStatus = "pass"
	CheckFail CheckStatus = "fail"
	// CheckInfo is a line with nothing to compare against (no project, no client id given):
	// it shows the token's value and neither passes nor fails.
	CheckInfo CheckStatus = "info"
)

// Check is one line of a checklist: what was expected, what the token holds, and a note
// saying what is wrong when it failed.
type Check struct {
	Name     string      `json:"name"` // signature, typ, iss, aud, sub, scope, exp, lifetime, nbf, iat
	Status   CheckStatus `json:"status"`
	Expected string      `json:"expected,omitempty"`
	Actual   string      `json:"actual"`
	Note     string      `json:"note,omitempty"`
	// Cause is the error that kept the check from being made (the project's keys could not
	// be read, say), for a UI to describe; Note or Actual then ends with its Message.
	Cause *ErrorInfo `json:"cause,omitempty"`
	// At is the time an exp, nbf or iat claim holds (zero for other checks), so that a screen
	// can say how far it is from its own clock as that clock moves; Actual says it against
	// the clock of the check.
	At time.Time `json:"-"`
}

// Checklist is the verdict on one access token. Header and Payload are the token's decoded
// JSON, indented for display (JSON encoding compacts them); the token itself is not kept.
type Checklist struct {
	Checks  []Check         `json:"checks"`
	Header  json.RawMessage `json:"header,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// Token is the token checked, for an operator who asks for it on purpose (the TUI copies
	// it to the clipboard): a bearer credential until it expires, so masked when printed and
	// never written to a report or a JSON line.
	Token Secret `json:"-"`
}

// Passed reports whether no line failed. Informational lines do not fail.
func (c *Checklist) Passed() bool {
	if c == nil || len(c.Checks) == 0 {
		return false
	}
	for _, l := range c.Checks {
		if l.Status == CheckFail {
			return false
		}
	}
	return true
}

// Failed returns the lines that failed.
func (c *Checklist) Failed() []Check {
	var out []Check
	for _, l := range c.Checks {
		if l.Status == CheckFail {
			out = append(out, l)
		}
	}
	return out
}

// Line returns the line with the given name.
func (c *Checklist) Line(name string) (Check, bool) {
	for _, l := range c.Checks {
		if l.Name == name {
			return l, true
		}
	}
	return Check{}, false
}

// Expect is what a token should say. Empty expectations make their line informational,
// so the same checker serves the engine (everything known) and a pasted token.
type Expect struct {
	ProjectID string   // aud must hold it
	Issuers   []string // iss must be one of them; when empty and ProjectID is set, "stytch.com/{ProjectID}"
	ClientID  string   // sub must equal it
	Scopes    *Scopes  // scope must equal it as a set
	// Lifetime is how long after iat the token should expire: the expires_in of the answer
	// that gave the token. Zero (a pasted token) makes the lifetime line informational:
	// Stytch documents no fixed lifetime, so there is nothing else to hold it to.
	Lifetime time.Duration
	// Leeway tolerates clock skew in the time checks; zero means DefaultLeeway.
	Leeway time.Duration
	// Now is the time to check against; zero means time.Now().
	Now time.Time
}

// TokenLifetime is the lifetime of Stytch's M2M access tokens in every example seen (exp =
// iat + 3600). Stytch documents no fixed value, so it is assumed only where no token answer
// is at hand (the cutover analysis); the checklist holds a token to its own answer's
// expires_in (Expect.Lifetime).
const TokenLifetime = time.Hour

// DefaultLeeway tolerates a little clock skew between Stytch and this machine.
const DefaultLeeway = 30 * time.Second

// KeyFunc returns the public key with the given kid, from the target's JWKS. Target.Key is
// one; nil means decode only (no project to verify against).
type KeyFunc func(ctx context.Context, kid string) (crypto.PublicKey, error)

// ErrNotJWT is wrapped by CheckToken's error when the input is not a JWT at all.
var ErrNotJWT = errors.New("not a JWT")

// PastedToken is the token in text a person pasted or piped: an optional "Bearer " (copied
// from an Authorization header) dropped, and all whitespace removed (terminals wrap long
// tokens). The result is empty when text holds no token.
func PastedToken(text string) Secret {
	text = strings.TrimSpace(text)
	if len(text) > 7 && strings.EqualFold(text[:7], "bearer ") {
		text = text[7:]
	}
	return NewSecret(strings.Join(strings.Fields(text), ""))
}

// CheckToken decodes token, verifies its signature with keys (when not nil) and checks its
// claims against want. The error is for input that is not a JWT (it wraps ErrNotJWT); a
// token that decodes always gets a checklist, failed lines included.
func CheckToken(ctx context.Context, token Secret, keys KeyFunc, want Expect) (*Checklist, error) {
	parts, err := jwtParts(token)
	if err != nil {
		return nil, err
	}
	header, headerJSON, err := decodeSegment(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: the header %v", ErrNotJWT, err)
	}
	claims, payloadJSON, err := payloadOf(parts)
	if err != nil {
		return nil, err
	}
	if want.Now.IsZero() {
		want.Now = time.Now()
	}
	if want.Leeway == 0 {
		want.Leeway = DefaultLeeway
	}
	if len(want.Issuers) == 0 && want.ProjectID != "" {
		want.Issuers = []string{"stytch.com/" + want.ProjectID}
	}
	cl := &Checklist{Header: headerJSON, Payload: payloadJSON, Token: token}
	cl.Checks = append(cl.Checks,
		checkSignature(ctx, header, parts, keys),
		equalLine("typ", "JWT", header["typ"]),
		issuerLine(want.Issuers, claims["iss"]),
		audienceLine(want.ProjectID, claims["aud"]),
		equalLine("sub", want.ClientID, claims["sub"]),
		scopeLine(want.Scopes, claims["scope"]),
	)
	cl.Checks = append(cl.Checks, timeLines(claims, want)...)
	return cl, nil
}

// jwtParts splits a compact JWT into header, payload and signature.
func jwtParts(token Secret) ([]string, error) {
	parts := strings.Split(strings.TrimSpace(token.Reveal()), ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: a JWT has three parts separated by dots, this has %d", ErrNotJWT, len(parts))
	}
	return parts, nil
}

// payloadOf decodes the payload of a JWT split by jwtParts: its claims and its indented JSON.
func payloadOf(parts []string) (map[string]any, json.RawMessage, error) {
	claims, js, err := decodeSegment(parts[1])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: the payload %v", ErrNotJWT, err)
	}
	return claims, js, nil
}

// decodeSegment decodes one base64url JSON part of a JWT into a map and its indented JSON.
func decodeSegment(seg string) (map[string]any, json.RawMessage, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return nil, nil, fmt.Errorf("is not base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		return nil, nil, fmt.Errorf("is not a JSON object")
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, b, "", "  "); err != nil {
		return nil, nil, fmt.Errorf("is not a JSON object")
	}
	return m, pretty.Bytes(), nil
}

func checkSignature(ctx context.Context, header map[string]any, parts []string, keys KeyFunc) Check {
	line := Check{Name: "signature", Expected: "RS256 by a key in the project's JWKS"}
	alg, _ := header["alg"].(string)
	kid, _ := header["kid"].(string)
	line.Actual = fmt.Sprintf("alg %s, kid %s", orNone(alg), orNone(kid))
	fail := func(note string) Check {
		line.Status, line.Note = CheckFail, note
		return line
	}
	switch {
	case strings.EqualFold(alg, "none") || alg == "":
		return fail("the token is unsigned (alg none); anyone could have written it")
	case strings.HasPrefix(alg, "HS"):
		return fail(alg + " is a shared-secret (HMAC) algorithm; Stytch signs with RS256, so this token is forged")
	case alg != "RS256":
		return fail(alg + " is not RS256, the only algorithm Stytch signs with")
	case kid == "":
		return fail("the header names no key (kid)")
	case keys == nil:
		line.Status, line.Note = CheckInfo, "not verified: give a project to check the signature against its JWKS"
		return line
	}
	key, err := keys(ctx, kid)
	if err != nil {
		line.Cause = NewErrorInfo(err)
		return fail("no project key to check it with: " + err.Error())
	}
	if _, ok := key.(*rsa.PublicKey); !ok {
		return fail(fmt.Sprintf("key %s is not an RSA key", kid))
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err != nil {
		return fail("the signature is not base64url")
	}
	if err := jwt.SigningMethodRS256.Verify(parts[0]+"."+parts[1], sig, key); err != nil {
		return fail("the signature does not match: the token was altered or signed by another key")
	}
	line.Status = CheckPass
	return line
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// display renders a claim value for the Actual column.
func display(v any) string {
	switch v := v.(type) {
	case nil:
		return "(missing)"
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// judged is l with its status: info when nothing was expected, a pass when the token matched,
// else a failure that says why.
func judged(l Check, expected, matched bool, why string) Check {
	switch {
	case !expected:
		l.Status = CheckInfo
	case matched:
		l.Status = CheckPass
	default:
		l.Status, l.Note = CheckFail, why
	}
	return l
}

func equalLine(name, want string, got any) Check {
	s, ok := got.(string)
	return judged(Check{Name: name, Expected: want, Actual: display(got)}, want != "", ok && s == want, fmt.Sprintf("expected %s %q", name, want))
}

func issuerLine(issuers []string, got any) Check {
	s, _ := got.(string)
	return judged(Check{Name: "iss", Expected: strings.Join(issuers, " or "), Actual: display(got)},
		len(issuers) > 0, slices.Contains(issuers, s), "the token was issued by someone else")
}

func audienceLine(project string, got any) Check {
	l := Check{Name: "aud", Actual: display(got)}
	if project != "" {
		l.Expected = "contains " + project
	}
	var auds []string
	switch v := got.(type) {
	case string:
		auds = []string{v}
	case []any:
		for _, a := range v {
			if s, ok := a.(string); ok {
				auds = append(auds, s)
			}
		}
	}
	return judged(l, project != "", slices.Contains(auds, project), "the token is not meant for this project")
}

func scopeLine(want *Scopes, got any) Check {
	l := Check{Name: "scope", Actual: display(got)}
	s, ok := got.(string)
	have := SplitScopes(s)
	if ok {
		l.Actual = have.String()
	}
	if want == nil {
		l.Status = CheckInfo
		return l
	}
	l.Expected = want.String()
	missing, extra := want.Minus(have), have.Minus(*want)
	switch {
	case !ok:
		l.Status, l.Note = CheckFail, "the token has no scope claim"
	case len(missing) == 0 && len(extra) == 0:
		l.Status = CheckPass
	default:
		var notes []string
		if len(missing) > 0 {
			notes = append(notes, "missing "+missing.String())
		}
		if len(extra) > 0 {
			notes = append(notes, "extra "+extra.String())
		}
		l.Status, l.Note = CheckFail, strings.Join(notes, "; ")
	}
	return l
}

// numericDate reads a NumericDate claim (seconds since the epoch, possibly fractional).
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

func whenText(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	switch {
	case d == 0:
		return t.Format(time.RFC3339) + " (now)"
	case d > 0:
		return fmt.Sprintf("%s (in %s)", t.Format(time.RFC3339), roughly(d))
	default:
		return fmt.Sprintf("%s (%s ago)", t.Format(time.RFC3339), roughly(-d))
	}
}

// roughly says how long d is the way people would: "45 s", "59 min", "3 h 5 min", "12 days".
func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", d/time.Hour, d%time.Hour/time.Minute)
	default:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
}

// lifetimeText shows a token lifetime: whole hours as "1 h", else as HumanDuration does.
func lifetimeText(d time.Duration) string {
	if d > 0 && d%time.Hour == 0 {
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return HumanDuration(d)
}

func timeLines(claims map[string]any, want Expect) []Check {
	now, leeway := want.Now, want.Leeway
	exp, hasExp := numericDate(claims["exp"])
	iat, hasIat := numericDate(claims["iat"])
	nbf, hasNbf := numericDate(claims["nbf"])
	line := func(name, expected string, has bool, t time.Time, ok bool, note string) Check {
		l := Check{Name: name, Expected: expected, Actual: display(claims[name])}
		if has {
			l.At = t
		}
		switch {
		case !has:
			l.Status, l.Note = CheckFail, "missing or not a number"
		case ok:
			l.Status, l.Actual = CheckPass, whenText(t, now)
		default:
			l.Status, l.Actual, l.Note = CheckFail, whenText(t, now), note
		}
		return l
	}
	lifetime := Check{Name: "lifetime"}
	if want.Lifetime > 0 {
		lifetime.Expected = fmt.Sprintf("exp = iat + %s (expires_in of the token answer)", lifetimeText(want.Lifetime))
	}
	if hasExp && hasIat {
		got := exp.Sub(iat)
		lifetime.Actual = lifetimeText(got)
		switch {
		case want.Lifetime <= 0:
			lifetime.Status = CheckInfo
		case (got - want.Lifetime).Abs() <= leeway:
			lifetime.Status = CheckPass
		default:
			lifetime.Status, lifetime.Note = CheckFail, "the token lives longer or shorter than the token answer said (expires_in)"
		}
	} else {
		lifetime.Status, lifetime.Actual, lifetime.Note = CheckFail, "(unknown)", "exp or iat is missing"
	}
	return []Check{
		line("exp", "in the future", hasExp, exp, exp.After(now.Add(-leeway)), "the token has expired"),
		lifetime,
		line("nbf", "not in the future", hasNbf, nbf, !nbf.After(now.Add(leeway)), "the token is not valid yet"),
		line("iat", "not in the future", hasIat, iat, !iat.After(now.Add(leeway)), "the token claims to be issued in the future"),
	}
}
