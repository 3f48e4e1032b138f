package client

import (
	"slices"
	"strings"
)

// Scopes is a set of OAuth scopes kept sorted and free of duplicates, so that two sets are
// equal exactly when their slices are, and display order is stable. Build one with NewScopes
// or ParseScopes; the zero value is the empty set.
type Scopes []string

// NewScopes returns the set of the given scopes (sorted, duplicates and empty strings dropped).
func NewScopes(values ...string) Scopes {
	out := make(Scopes, 0, len(values))
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SplitScopes splits a space-separated scope string (a token's `scope` claim, a CSV column)
// into a set, tolerating runs of whitespace. For operator input, which must also name only
// scopes Stytch takes, use ParseScopes: it splits the same way and says where a scope breaks
// the rules.
func SplitScopes(s string) Scopes { return NewScopes(strings.Fields(s)...) }

// String joins the set with single spaces, the OAuth wire form.
func (s Scopes) String() string { return strings.Join(s, " ") }

// Has reports whether scope is in the set.
func (s Scopes) Has(scope string) bool {
	_, ok := slices.BinarySearch(s, scope)
	return ok
}

// Equal reports whether both sets hold the same scopes.
func (s Scopes) Equal(o Scopes) bool { return slices.Equal(s, o) }

// Union returns the scopes in either set.
func (s Scopes) Union(o Scopes) Scopes {
	out := make([]string, 0, len(s)+len(o))
	return NewScopes(append(append(out, s...), o...)...)
}

// Minus returns the scopes of s that are not in o.
func (s Scopes) Minus(o Scopes) Scopes {
	out := Scopes{}
	for _, v := range s {
		if !o.Has(v) {
			out = append(out, v)
		}
	}
	return out
}

// With returns the set with scope added.
func (s Scopes) With(scope string) Scopes { return s.Union(Scopes{scope}) }

// Without returns the set with scope removed.
func (s Scopes) Without(scope string) Scopes { return s.Minus(Scopes{scope}) }
