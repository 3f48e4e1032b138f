package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLineMakesHostileTextInert(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"plain":             {"Orders API", "Orders API"},
		"unicode kept":      {"Zahlungsdienst für Ümläute 🚀 日本", "Zahlungsdienst für Ümläute 🚀 日本"},
		"sgr colour":        {"\x1b[31mred\x1b[0m team", "red team"},
		"cursor moves":      {"a\x1b[2J\x1b[H\x1b[10;10fb", "ab"},
		"osc title bel":     {"x\x1b]0;pwned\x07y", "xy"},
		"osc 8 hyperlink":   {"\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"},
		"osc 52 clipboard":  {"\x1b]52;c;Y3VybCBldmls\x07ok", "ok"},
		"dcs":               {"\x1bPq#0;2;0;0;0\x1b\\after", "after"},
		"unterminated osc":  {"name\x1b]0;never ends", "name"},
		"c1 csi":            {"a\u009b31mb", "ab"},
		"c1 osc with c1 st": {"a\u009d0;t\u009cb", "ab"},
		"two-byte escape":   {"a\x1bcb\x1b7c", "abc"},
		"charset escape":    {"a\x1b(Bb", "ab"},
		"bidi trojan":       {"access\u202e\u2066 // admin\u2069\u2066", "access // admin"},
		"controls":          {"a\x00b\x07c\x08d\x7fe", "abcde"},
		"newlines and tabs": {"one\ntwo\r\nthree\tfour", "one two  three four"},
		"line separator":    {"a\u2028b", "a b"},
		"invalid utf8":      {"a\xffb", "a\ufffdb"},
		"bom":               {"\ufeffname", "name"},
		"lone esc at end":   {"abc\x1b", "abc"},
	}
	for name, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("%s: Line(%q) = %q, want %q", name, c.in, got, c.want)
		}
	}
}

func TestTextKeepsLineBreaksOnly(t *testing.T) {
	got := Text("first\r\nsecond\rthird\n\x1b[1mbold\x1b[0m\tend")
	if want := "first\nsecond\nthird\nbold end"; got != want {
		t.Fatalf("Text = %q, want %q", got, want)
	}
}

func TestPlainASCIIIsNotCopied(t *testing.T) {
	s := strings.Repeat("client-", 100)
	if allocs := testing.AllocsPerRun(100, func() { _ = Line(s) }); allocs != 0 {
		t.Fatalf("plain text allocated %v times", allocs)
	}
}

// checkInert fails when out could still change a terminal's state or reorder text.
func checkInert(t *testing.T, in, out string, multiline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 from %q: %q", in, out)
	}
	for _, r := range out {
		switch {
		case r == '\n' && multiline:
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, isBidi(r):
			t.Fatalf("%q survives in %q (from %q)", r, out, in)
		}
	}
	if len(out) > len(in)*3 {
		t.Fatalf("output grew from %d to %d bytes", len(in), len(out))
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"plain", "\x1b[31mred", "\x1b]8;;u\x1b\\l", "\u009b1m", "a\u202eb", "\xff\xfe", "\x1bP\x1b\\", "é\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkInert(t, in, Line(in), false)
		checkInert(t, in, Text(in), true)
		if Line(Line(in)) != Line(in) {
			t.Fatalf("Line is not idempotent on %q", in)
		}
	})
}
