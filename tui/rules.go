package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/m2mport/m2mport/client"
)

// Stytch's limits on what the operator types, checked as they type so that a bad value is
// caught here rather than as a failed import. (specs/stytch.md, "Assumed limits".)
const (
	maxScopeLen  = 128
	maxScopes    = 100
	maxNameLen   = 256
	maxDescLen   = 1024
	minSecretLen = 8
)

// scopeProblem says what is wrong with one scope, or "".
func scopeProblem(s string) string {
	switch {
	case s == "":
		return "a scope can't be empty"
	case len(s) > maxScopeLen:
		return fmt.Sprintf("longer than %d characters", maxScopeLen)
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return fmt.Sprintf("%q is not allowed: printable ASCII without spaces only", r)
		}
	}
	return ""
}

// parseScopeText reads scopes typed as text, separated by single spaces as Stytch's
// dashboard asks.
func parseScopeText(text string) (client.Scopes, string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return client.Scopes{}, ""
	}
	if strings.Contains(text, "  ") || strings.ContainsAny(text, "\t\n") {
		return nil, "separate scopes with single spaces"
	}
	parts := strings.Split(text, " ")
	for _, s := range parts {
		if p := scopeProblem(s); p != "" {
			return nil, s + ": " + p
		}
	}
	set := client.NewScopes(parts...)
	if len(set) > maxScopes {
		return nil, fmt.Sprintf("%d scopes: Stytch takes at most %d", len(set), maxScopes)
	}
	return set, ""
}

func lengthProblem(what, s string, limit int) string {
	if n := utf8.RuneCountInString(s); n > limit {
		return fmt.Sprintf("%s is %d characters; Stytch takes at most %d", what, n, limit)
	}
	return ""
}

// clientIDProblem checks an id typed by hand.
func clientIDProblem(id string) string {
	switch {
	case id == "":
		return "required"
	case len(id) > 256:
		return "longer than 256 characters"
	case strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "no spaces or control characters"
	}
	return ""
}

// secretProblem checks a secret typed by hand against Stytch's rules.
func secretProblem(s string) string {
	distinct := map[rune]bool{}
	for _, r := range s {
		distinct[r] = true
	}
	switch {
	case s == "":
		return "required"
	case utf8.RuneCountInString(s) < minSecretLen:
		return fmt.Sprintf("at least %d characters", minSecretLen)
	case utf8.RuneCountInString(s) > 256:
		return "at most 256 characters"
	case len(distinct) < 6:
		return "too weak: Stytch needs at least 6 different characters"
	}
	return ""
}
