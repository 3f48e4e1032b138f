// Package sanitize makes untrusted text safe to draw in a terminal: names, descriptions and
// metadata from Auth0, error messages from APIs, claims of a pasted token. It removes ANSI and
// OSC escape sequences (colour changes, cursor moves, hyperlinks, window titles, clipboard
// writes), C0 and C1 control characters and Unicode bidi controls (which can make text read
// differently from what it is), and replaces invalid UTF-8. Everything the TUI shows from
// outside goes through here once, when it arrives.
//
// sanitize imports only the standard library.
package sanitize

import (
	"strings"
	"unicode/utf8"
)

// Line returns s as one line of inert text: newlines and tabs become spaces.
func Line(s string) string { return clean(s, false) }

// Text returns s as inert text that keeps its line breaks (\r\n and \r become \n); tabs
// become spaces.
func Text(s string) string { return clean(s, true) }

func clean(s string, multiline bool) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		switch {
		case r == 0x1b: // ESC starts a sequence
			i = skipEscape(s, i+size)
			continue
		case isC1Introducer(r):
			i = skipString(s, i+size, r == 0x9b)
			continue
		case r == '\n' || r == '\r':
			if !multiline {
				b.WriteByte(' ')
			} else if r == '\n' || !strings.HasPrefix(s[i+size:], "\n") {
				b.WriteByte('\n')
			}
		case r == '\t', r == 0x2028, r == 0x2029:
			b.WriteByte(' ')
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, isBidi(r), r == 0xfeff:
			// dropped
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII only, the common case, returned as it is.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// skipEscape returns the index just past the escape sequence whose ESC ended before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[': // CSI
		return skipString(s, i+1, true)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: strings ended by BEL or ST
		return skipString(s, i+1, false)
	}
	if s[i] >= 0x20 && s[i] < 0x7f {
		// Two-byte sequences (ESC 7, ESC c, …); intermediates (ESC ( B) run to a final byte.
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] < 0x7f {
			i++
		}
	}
	return i
}

// skipString skips a control sequence's body starting at i. A CSI ends at its final byte
// (0x40–0x7e); the string sequences end at BEL, ESC \ or the C1 ST. Either ends early at
// another ESC, so a missing terminator swallows at most up to the next sequence, and at the
// end of s.
func skipString(s string, i int, csi bool) int {
	for i < len(s) {
		c := s[i]
		switch {
		case csi && c >= 0x40 && c <= 0x7e:
			return i + 1
		case csi && (c < 0x20 || c > 0x7e):
			return i // a CSI can't hold this: it was not a sequence after all
		case !csi && c == 0x07:
			return i + 1
		case c == 0x1b:
			if !csi && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case !csi && c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // ST as UTF-8
			return i + 2
		}
		i++
	}
	return i
}

// isC1Introducer reports whether r is the C1 form of CSI, OSC, DCS, SOS, PM or APC, which
// some terminals honour in UTF-8 text too.
func isC1Introducer(r rune) bool {
	switch r {
	case 0x9b, 0x9d, 0x90, 0x98, 0x9e, 0x9f:
		return true
	}
	return false
}

// isBidi reports whether r is a Unicode bidirectional control (the "Trojan Source" set).
func isBidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
