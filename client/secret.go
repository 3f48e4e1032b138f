package client

import (
	"fmt"
	"runtime"
	"unicode/utf8"
)

// Secret holds a credential (a client secret, a project secret, an access token). Every way
// Go has of printing it — %v, %s, %q, %#v, %x, JSON, errors that wrap it — shows only the
// last four characters, so a secret that reaches a log, a report or a panic stays masked.
// Reveal is the one way to get the plain value, for the wire and for an operator who asked.
//
// The value sits behind a pointer because fmt prints a struct's unexported fields by
// reflection, without calling their methods: a secret kept as a plain string inside, say, a
// Bubble Tea message would print in full under %v. Behind a pointer it prints as an address.
// Compare secrets with Equal; == compares the pointers.
type Secret struct{ p *string }

// NewSecret wraps a plain value. The empty string gives the zero Secret. The value becomes
// known to Scrub, which masks it in every error built from a server's bytes from then on.
func NewSecret(plain string) Secret {
	if plain == "" {
		return Secret{}
	}
	remember(plain, false)
	return Secret{p: &plain}
}

// NewTokenSecret wraps an access token the program minted, as NewSecret does, except that
// Scrub knows it only for as long as the program holds it: once no Secret holding it is
// reachable, Scrub forgets it. Checking every client of a large import mints a token for
// each, and a run must not keep them all to the end. A server can only echo a token it was
// sent, and a request is scrubbed of the credentials it carries (Scrub's also) whenever the
// token itself was dropped before the answer came.
func NewTokenSecret(plain string) Secret {
	if plain == "" {
		return Secret{}
	}
	p := &plain
	if e, ok := remember(plain, true); ok {
		runtime.AddCleanup(p, known.forget, e)
	}
	return Secret{p: p}
}

// Mask is the prefix shown in place of all but the last four characters.
const Mask = "••••"

// Reveal returns the plain secret. Call it only to send it to an API or to show it to an
// operator who pressed the reveal key.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// Last4 returns the last four characters (runes), as Stytch's client_secret_last_four does,
// or "" for a secret of four characters or fewer: its last four would be all of it. Stytch
// never holds such a secret, so nothing compares equal to it by mistake.
func (s Secret) Last4() string {
	if utf8.RuneCountInString(s.Reveal()) <= 4 {
		return ""
	}
	return LastFour(s.Reveal())
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.p == nil || *s.p == "" }

// Equal reports whether both hold the same value.
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

// String shows the secret masked: "••••DzJj". A secret of four characters or fewer shows only
// the mask, since its last four would be all of it.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Mask + s.Last4()
}

// GoString masks %#v too.
func (s Secret) GoString() string { return fmt.Sprintf("client.NewSecret(%q)", s.String()) }

// Format masks every verb, including %x and %q, which would otherwise bypass String.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.String())
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, s.GoString())
			return
		}
		fmt.Fprint(f, s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalJSON writes the masked form: reports and event streams never carry secrets.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.String())), nil }

// MarshalText writes the masked form for encoders that use TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LastFour returns the last four runes of s (all of s when shorter).
func LastFour(s string) string {
	n := 0
	for i := len(s); i > 0; {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		n++
		if n == 4 {
			return s[i:]
		}
	}
	return s
}
