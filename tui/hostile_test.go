package tui

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/m2mport/m2mport/client"
)

// hostile is what a tenant's names and descriptions, a Stytch project's answers or a token's
// claims may hold to attack the terminal that shows them: a title change, a screen clear, a
// colour, a clipboard write, a link, the C1 form of CSI, a bidi override (which makes text
// read as something else) and, after the label, 10 KB of text.
func hostile(label string) string { return hostileN(label, 10<<10) }

// hostileN is hostile with n bytes in all, for fields Stytch limits (a client's name and
// description): a client must stay importable to reach Import and Validate.
func hostileN(label string, n int) string {
	s := label + "\x1b]0;pwned\x07\x1b[2J\x1b[31m red\x1b[0m\x1b]52;c;cGF5bG9hZA==\x07 \u202eevil\u202c" +
		"\u009b31m \x1b]8;;https://evil.test/\x07link\x1b]8;;\x07 \u2067isolate\u2069"
	return s + strings.Repeat(" padding", max(n-len(s), 0)/8)
}

// hostileInventory is demoInventory with hostile text wherever Auth0 supplies it: 10 KB of
// it where Stytch takes no such text, and as much as Stytch takes in the clients that can
// be imported (Orders sync, Billing reconciler, Lonely worker).
func hostileInventory() *client.Inventory {
	inv := demoInventory()
	for i := range inv.APIs {
		inv.APIs[i].Name = hostile("API")
		for j := range inv.APIs[i].Scopes {
			inv.APIs[i].Scopes[j].Description = hostile("scope description")
		}
	}
	for i := range inv.Clients {
		c := &inv.Clients[i]
		label := "NAME" + string(rune('A'+i))
		c.Name, c.Description = hostile(label), hostile("description")
		c.Metadata = map[string]any{hostile("key"): hostile("value")}
		if c.Importable() {
			c.Name, c.Description = hostileN(label, client.NameMaxLen), hostileN("description", client.DescriptionMaxLen)
			c.Metadata = map[string]any{hostileN("key", 200): hostileN("value", 1000)}
		}
		for j := range c.Grants {
			c.Grants[j].API = hostile("API")
		}
		for j := range c.Blocked {
			c.Blocked[j].Message, c.Blocked[j].Hint = hostile("blocked"), hostile("hint")
		}
	}
	inv.Warnings = []string{hostile("warning"), hostile("another warning")}
	return inv
}

// hostileCheck is a checklist whose claims came from a hostile token: the values, the notes
// and the decoded JSON (raw, as a decoder that let them through would leave them).
func hostileCheck(c *client.Client) *client.Checklist {
	cl := goldenCheck(c.ID, c.Scopes.String())
	cl.Checks[0].Actual = hostile("kid")
	cl.Checks[4] = client.Check{Name: hostile("sub"), Status: client.CheckFail, Actual: hostile("actual"), Expected: hostile("expected"), Note: hostile("note")}
	// JSON escapes control characters (a claim shows "\u001b" as text), but not bidi
	// controls or C1 in UTF-8; and the JSON may come from a decoder that kept them raw.
	cl.Payload = []byte("{\n  \"sub\": \"" + hostile("raw") + "\",\n  \"" + hostile("key") + "\": 1\n}")
	cl.Header = []byte("{\n  \"kid\": \"" + hostile("kid") + "\"\n}")
	return cl
}

// sgr matches the styling the UI itself draws: Select Graphic Rendition, nothing else.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// assertInert fails unless frame is w×h cells of text whose only control sequences are the
// UI's own colours: nothing from the data moves the cursor, clears, retitles, links, writes
// the clipboard or reorders text.
func assertInert(t *testing.T, where, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", where, len(lines), h)
	}
	for i, line := range lines {
		if got := ansi.StringWidth(line); got > w {
			t.Errorf("%s: line %d is %d cells wide, the terminal %d: %q", where, i, got, w, ansi.Strip(line))
		}
		rest := sgr.ReplaceAllString(line, "")
		for j, r := range rest {
			switch {
			case r == utf8.RuneError && strings.HasPrefix(rest[j:], "\ufffd") == false:
				t.Errorf("%s: line %d holds invalid UTF-8 at %d", where, i, j)
			case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
				t.Errorf("%s: line %d holds control character %U: %q", where, i, r, rest)
			case r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
				t.Errorf("%s: line %d holds bidi control %U", where, i, r)
			}
		}
	}
}

// TestHostileTextRendersInertAndCut walks Pick (rows, details, the other apps), Scopes (and
// its name editor), Import (plan, conflict, run, summary) and Validate (clients, checks,
// token) with hostile text in everything Auth0, Stytch and the token supply, at 100×30 and
// 60×20: every frame keeps to the terminal and carries none of it as control sequences.
func TestHostileTextRendersInertAndCut(t *testing.T) {
	atBothSizes(t, func(t *testing.T, w, ht int) {
		src, tgt := fakes()
		src.inv = hostileInventory()
		billing := src.inv.Clients[1]
		// Stytch holds Billing reconciler already, under a hostile name: a conflict.
		tgt.stored = map[string]client.Stored{billing.ID: {ID: billing.ID, Name: hostile("stored name"), Description: hostile("stored description"),
			Scopes: client.NewScopes("read:invoices"), SecretLast4: billing.Secret.Last4(), Status: "active"}}
		h := newHarness(t, testConfig(src, tgt), w, ht)
		frame := func(where string) {
			t.Helper()
			assertInert(t, where, h.app.View().Content, w, ht)
		}
		h.press("enter", "enter")
		if _, ok := h.top().(*pickScreen); !ok {
			t.Fatalf("got %T", h.top())
		}
		frame("pick")
		h.press("tab")
		// Each sequence goes whole, not just its ESC: what is left reads as the name did.
		h.mustSee("NAMEA red evil link isolate padding")
		h.mustNotSee("pwned", "cGF5bG9hZA", "evil.test")
		h.press("tab")
		for i := 0; i < 4; i++ {
			h.press("down")
			frame("pick, a row down")
			h.press("tab")
			frame("pick details")
			h.press("tab")
		}
		h.press("o", "G")
		frame("pick, other apps")
		// Besides the ready one, the conflict (Stytch holds it under a hostile name) and the
		// client without grants.
		h.press("o", "g", "down", "space", "down", "space", "g")

		h.press("enter")
		if _, ok := h.top().(*scopesScreen); !ok {
			t.Fatalf("got %T", h.top())
		}
		frame("scopes")
		h.press("down", "down", "tab")
		frame("scopes, next client")
		h.press("n")
		frame("scopes, editing the name")
		if s := h.top().(*scopesScreen); strings.ContainsAny(s.input.Value(), "\x1b\u202e") || strings.Contains(s.input.Value(), "pwned") {
			t.Errorf("the name editor holds the escape sequences: %q", s.input.Value()[:60])
		}
		h.press("esc", "d")
		frame("scopes, editing the description")
		h.press("esc")

		h.press("enter")
		imp, ok := h.top().(*importScreen)
		if !ok {
			t.Fatalf("got %T", h.top())
		}
		frame("plan")
		if n := imp.plan.Counts(); n.Create != 2 || n.Conflict != 1 {
			t.Fatalf("plan %+v", n)
		}
		for range imp.plan.Items {
			h.press("down")
			frame("plan, a row down")
		}
		h.press("enter")
		frame("confirm")
		h.press("n")
		runSyntheticWith(imp, false, hostileCheck)
		frame("running")
		runSyntheticWith(imp, true, hostileCheck)
		frame("done")

		h.press("enter")
		v, ok := h.top().(*validateScreen)
		if !ok || len(v.proofs) != 2 {
			t.Fatalf("got %T", h.top())
		}
		frame("validate")
		h.mustSee("NAME")
		h.press("tab")
		for range 10 {
			h.press("down")
			frame("validate, a check down")
		}
		h.press("tab")
		for range 5 {
			h.press("pgdown")
			frame("validate, the token")
		}
		h.press("tab", "down")
		frame("validate, the next client")
	})
}
