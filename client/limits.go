package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Stytch's limits on an M2M client. Stytch does not publish them: these are the assumptions
// of specs/stytch.md §3, kept here and nowhere else so they are easy to revisit. The planner
// checks every record against them, so the operator hears about a weak secret or a bad scope
// in the plan instead of as a failed import.
//
// The secret rule is assumed: Stytch documents only "at least 8 characters and pass entropy
// requirements". SecretMaxLen and SecretMinDistinct are m2mport's guess at the rest, and
// messages say so. When Stytch refuses a secret the plan let through, the client ends
// blocked in Stytch's words (the engine's refusedSecret), never retried.
const (
	SecretMinLen         = 8
	SecretMaxLen         = 256
	SecretMinDistinct    = 6 // Stytch's "entropy check", as the spec assumes it
	ScopeMaxLen          = 128
	MaxScopes            = 100
	NameMaxLen           = 256
	DescriptionMaxLen    = 1024
	MetadataMaxKeys      = 20
	MetadataMaxBytes     = 4096 // serialized JSON
	ClientIDMaxLen       = 256
	limitHintSecretStays = "the secret must stay the same to keep the client working: rotate it where the client is managed (Auth0, for a tenant's app) to one that passes, then run again"
)

// CheckSecret reports why Stytch would refuse s as an imported client secret, or nil.
func CheckSecret(s Secret) *Blocker {
	n := utf8.RuneCountInString(s.Reveal())
	switch {
	case n == 0:
		return &Blocker{Reason: BlockNoSecret, Message: "the client has no secret", Hint: "only clients that authenticate with a secret can be imported"}
	case n < SecretMinLen:
		return &Blocker{Reason: BlockWeakSecret, Message: fmt.Sprintf("the secret is %d characters long; Stytch needs at least %d", n, SecretMinLen), Hint: limitHintSecretStays}
	case n > SecretMaxLen:
		return &Blocker{Reason: BlockWeakSecret, Message: fmt.Sprintf("the secret is %d characters long; Stytch is assumed to take at most %d", n, SecretMaxLen), Hint: limitHintSecretStays}
	}
	if !utf8.ValidString(s.Reveal()) {
		// JSON would carry it with U+FFFD in place of the bad bytes: Stytch would store another secret.
		return &Blocker{Reason: BlockWeakSecret, Message: "the secret is not valid UTF-8 text, so it cannot be sent to Stytch unchanged", Hint: limitHintSecretStays}
	}
	if n := distinctRunes(s.Reveal()); n < SecretMinDistinct {
		return &Blocker{Reason: BlockWeakSecret, Message: fmt.Sprintf("the secret has only %s; Stytch's entropy check is assumed to need at least %d", Plural(n, "distinct character"), SecretMinDistinct), Hint: limitHintSecretStays}
	}
	return nil
}

// distinctRunes counts the different characters of s. A plan checks every client's secret:
// ASCII ones, nearly all, are counted in a bit set rather than a map.
func distinctRunes(s string) int {
	var ascii [2]uint64
	var other map[rune]bool
	n := 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			if bit := uint64(1) << (r % 64); ascii[r/64]&bit == 0 {
				ascii[r/64] |= bit
				n++
			}
			continue
		}
		if other == nil {
			other = map[rune]bool{}
		}
		if !other[r] {
			other[r] = true
			n++
		}
	}
	return n
}

// CheckScope reports why Stytch would refuse scope, or nil: a scope is 1 to 128 printable
// ASCII characters other than space.
func CheckScope(scope string) error {
	if scope == "" {
		return fmt.Errorf("a scope cannot be empty")
	}
	for i, r := range scope {
		if r < '!' || r > '~' {
			what := fmt.Sprintf("%q", r)
			if r == ' ' {
				what = "a space"
			}
			// Quote only the start: the scope may be kilobytes of anything.
			return fmt.Errorf("scope %s has %s at position %d: only printable ASCII without spaces is allowed", quoteStart(scope), what, i+1)
		}
	}
	if len(scope) > ScopeMaxLen {
		return fmt.Errorf("scope %s is %d characters long; at most %d are allowed", quoteStart(scope), len(scope), ScopeMaxLen)
	}
	return nil
}

// quoteStart quotes the first 20 characters of s, with an ellipsis when there are more.
func quoteStart(s string) string {
	if utf8.RuneCountInString(s) <= 20 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%.20q…", s)
}

// CheckScopes reports the first scope Stytch would refuse, or too many scopes.
func CheckScopes(s Scopes) error {
	for _, v := range s {
		if err := CheckScope(v); err != nil {
			return err
		}
	}
	if len(s) > MaxScopes {
		return fmt.Errorf("%d scopes: Stytch takes at most %d per client", len(s), MaxScopes)
	}
	return nil
}

// CheckClientID reports why Stytch would refuse id as a client id, or nil.
func CheckClientID(id string) error {
	if id == "" {
		return fmt.Errorf("the client id is empty")
	}
	if n := utf8.RuneCountInString(id); n > ClientIDMaxLen {
		return fmt.Errorf("the client id is %d characters long; Stytch takes at most %d", n, ClientIDMaxLen)
	}
	if !utf8.ValidString(id) {
		return fmt.Errorf("the client id %s is not valid UTF-8 text, so it cannot be sent to Stytch unchanged", quoteStart(id))
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("the client id %s holds whitespace or a control character, which Stytch refuses", quoteStart(id))
		}
	}
	// The id is a segment of Stytch's URLs (/v1/m2m/clients/{id}). Escaping leaves "." and
	// ".." as they are and "/" as %2F, which a proxy that normalises or decodes paths would
	// send to another URL: a GET, PUT or DELETE of another resource. Stytch itself takes
	// them (specs/stytch.md), so this is ours to refuse.
	if id == "." || id == ".." || strings.Contains(id, "/") {
		return fmt.Errorf("the client id %s would be sent as a URL path segment that proxies may rewrite to another URL, so m2mport does not import it", quoteStart(id))
	}
	return nil
}

// CheckMetadata reports why Stytch would refuse m as trusted_metadata, or nil.
func CheckMetadata(m map[string]any) error {
	if len(m) > MetadataMaxKeys {
		return fmt.Errorf("metadata has %d keys; Stytch takes at most %d", len(m), MetadataMaxKeys)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("metadata is not valid JSON: %v", err)
	}
	if len(b) > MetadataMaxBytes {
		return fmt.Errorf("metadata is %d bytes as JSON; Stytch takes at most %d", len(b), MetadataMaxBytes)
	}
	return nil
}

// LimitBlockers returns a Blocker for each way c breaks the target's limits: its id, secret,
// scopes, name, description or metadata. The planner adds them to the client's own blockers.
func LimitBlockers(c *Client) []Blocker {
	var out []Blocker
	field := func(err error, hint string) {
		if err != nil {
			out = append(out, Blocker{Reason: BlockInvalidField, Message: err.Error(), Hint: hint})
		}
	}
	field(CheckClientID(c.ID), "the id must stay the same; such a client cannot be imported as it is")
	if b := CheckSecret(c.Secret); b != nil && !slices.ContainsFunc(c.Blocked, secretless) {
		out = append(out, *b)
	}
	if err := CheckScopes(c.Scopes); err != nil {
		out = append(out, Blocker{Reason: BlockInvalidScope, Message: err.Error(), Hint: "edit the client's scopes before importing"})
	}
	// JSON carries invalid UTF-8 as U+FFFD: the target would store other text than the
	// source's, and every later plan would find them different.
	if !utf8.ValidString(c.Name) {
		field(errors.New("the name is not valid UTF-8 text"), "fix the name's encoding in the source before importing")
	}
	if !utf8.ValidString(c.Description) {
		field(errors.New("the description is not valid UTF-8 text"), "fix the description's encoding in the source before importing")
	}
	if n := utf8.RuneCountInString(c.Name); n > NameMaxLen {
		field(fmt.Errorf("the name is %d characters long; Stytch takes at most %d", n, NameMaxLen), "shorten the name before importing")
	}
	if n := utf8.RuneCountInString(c.Description); n > DescriptionMaxLen {
		field(fmt.Errorf("the description is %d characters long; Stytch takes at most %d", n, DescriptionMaxLen), "shorten the description before importing")
	}
	field(CheckMetadata(c.Metadata), "trim the client's metadata before importing")
	return out
}

// secretless reports whether b already says the source gave no secret, which CheckSecret
// would only repeat.
func secretless(b Blocker) bool {
	return b.Reason == BlockNoSecret || b.Reason == BlockKeyBased || b.Reason == BlockSecretHidden
}

// ScopeSyntaxError says where operator-typed scope text breaks the rules, so an editor can
// point at it: Start and End are byte offsets into the text (End exclusive), Column is the
// 1-based column (in runes) where the problem starts.
type ScopeSyntaxError struct {
	Start, End int
	Column     int
	Message    string
}

func (e *ScopeSyntaxError) Error() string {
	return fmt.Sprintf("column %d: %s", e.Column, e.Message)
}

// ParseScopes parses scopes typed (or pasted) by an operator, separated by runs of
// whitespace — spaces, tabs, new lines — as SplitScopes reads a file's scopes column and a
// token's scope claim: what a CSV source accepts, the editors accept too. Each scope must be
// valid for Stytch, at most MaxScopes of them. Duplicates are dropped. Text of whitespace
// only is the empty set. The error is a *ScopeSyntaxError for the first problem found.
func ParseScopes(text string) (Scopes, error) {
	fail := func(start, end int, format string, args ...any) (Scopes, error) {
		return nil, &ScopeSyntaxError{Start: start, End: end, Column: utf8.RuneCountInString(text[:start]) + 1, Message: fmt.Sprintf(format, args...)}
	}
	var out []string
	for start := 0; start < len(text); {
		// Skip the separators, then take the word up to the next one.
		r, size := utf8.DecodeRuneInString(text[start:])
		if unicode.IsSpace(r) {
			start += size
			continue
		}
		end := start
		for end < len(text) {
			r, size := utf8.DecodeRuneInString(text[end:])
			if unicode.IsSpace(r) {
				break
			}
			end += size
		}
		word := text[start:end]
		for i, r := range word {
			if r < '!' || r > '~' {
				// The bytes r came from: one for an invalid byte, which decodes as U+FFFD (3 bytes).
				_, size := utf8.DecodeRuneInString(word[i:])
				return fail(start+i, start+i+size, "%q is not allowed in a scope (printable ASCII only)", r)
			}
		}
		if len(word) > ScopeMaxLen {
			return fail(start, end, "%.20s… is %d characters long; a scope has at most %d", word, len(word), ScopeMaxLen)
		}
		out = append(out, word)
		start = end
	}
	s := NewScopes(out...)
	if len(s) > MaxScopes {
		return fail(0, len(text), "%d scopes: Stytch takes at most %d per client", len(s), MaxScopes)
	}
	return s, nil
}
