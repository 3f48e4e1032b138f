package tui

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
)

// unwrap joins wrapped lines back into one text: each line without its indent.
func unwrap(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(strings.TrimSpace(l))
	}
	return b.String()
}

// TestAFailedCheckIsSpelledOutInFull: a token issued for another project fails iss, and
// under the table the token's issuer and the expected ones read in full, wrapped where they
// must be, instead of being cut in the middle of both.
func TestAFailedCheckIsSpelledOutInFull(t *testing.T) {
	const (
		actual   = "stytch.com/project-test-0f0f0f0f-aaaa-4bbb-8ccc-dddddddddddd"
		expected = "stytch.com/project-test-6c1a2b3c-0000-4d5e-8f90-123456789abc or http://127.0.0.1:40007"
	)
	atBothSizes(t, func(t *testing.T, w, ht int) {
		src, tgt := fakes()
		h := newHarness(t, testConfig(src, tgt), w, ht)
		h.send(connectedMsg{source: src, target: tgt, next: toCheck})
		s := h.top().(*spotCheckScreen)
		result := goldenCheck("Bq4nR8sT2uV6wX0yZ3aB7cD1eF5gH9iJ", "read:invoices")
		result.Checks[2] = client.Check{Name: "iss", Status: client.CheckFail, Actual: actual, Expected: expected, Note: "the token was issued by someone else"}
		s.showResult(result)
		h.mustSee("✗ iss  the token was issued by someone else")
		if w == 100 {
			h.mustSee("the token says  " + actual)
		}
		nospace := func(s string) string { return strings.ReplaceAll(s, " ", "") }
		if text := nospace(unwrap(h.plain())); !strings.Contains(text, actual) || !strings.Contains(text, nospace(expected)) {
			t.Fatalf("the values are not there in full:\n%s", h.plain())
		}
		// ↑/↓ highlight the other checks, each spelled out in turn.
		h.press("down")
		h.mustSee("›✓ aud", "✓ aud  passes")
	})
}

// TestTokenJSONWrapsInsteadOfCutting: a claim longer than the line goes on under its key;
// nothing runs past the edge and nothing is lost.
func TestTokenJSONWrapsInsteadOfCutting(t *testing.T) {
	st := defaultTheme().Styles(true)
	long := strings.Repeat("read:orders ", 12) + "write:orders"
	cl := &client.Checklist{Header: []byte("{\n  \"alg\": \"RS256\"\n}"),
		Payload: []byte("{\n  \"exp\": 1700003600,\n  \"scope\": \"" + long + "\"\n}")}
	lines := tokenJSON(&st, cl, time.Unix(1_700_000_000, 0), 40)
	for i, l := range lines {
		if w := ansiWidth(l); w > 40 {
			t.Fatalf("line %d is %d cells: %q", i, w, ansiStrip(l))
		}
	}
	text := ansiStrip(strings.Join(lines, "\n"))
	if !strings.Contains(text, "\n    ") {
		t.Fatalf("a wrapped line goes on indented under its key:\n%s", text)
	}
	spaces := regexp.MustCompile(`\s+`)
	if got := spaces.ReplaceAllString(text, ""); !strings.Contains(got, spaces.ReplaceAllString(long, "")) || !strings.Contains(got, "in1h") {
		t.Fatalf("wrapping lost text:\n%s", text)
	}
}

// TestValidateFocusMovesFromClientsToChecksToToken: tab goes round, ↑/↓ move what has the
// focus, and esc comes back to the clients before it leaves the screen.
func TestValidateFocusMovesFromClientsToChecksToToken(t *testing.T) {
	src, tgt := fakes()
	cfg := testConfig(src, tgt)
	cfg.Now = func() time.Time { return goldenNow }
	h := newHarness(t, cfg, 100, 30)
	inv := demoInventory()
	h.send(connectedMsg{source: src, target: tgt, next: toPick})
	h.send(scopesDoneMsg{clients: []client.Client{inv.Clients[0], inv.Clients[3]}})
	runSynthetic(h.top().(*importScreen), true)
	h.press("enter")
	v := h.top().(*validateScreen)
	h.mustSee("1 of 2", "↑/↓ client")
	h.press("down")
	if v.side.Cursor() != 1 {
		t.Fatal("↓ moves to the next client")
	}
	h.press("tab", "down", "down")
	if v.pane.focus != focusChecks || v.pane.list.Cursor() != 2 {
		t.Fatalf("focus %v cursor %d", v.pane.focus, v.pane.list.Cursor())
	}
	h.mustSee("›✓ iss", "✓ iss  passes", "↑/↓ check")
	h.press("tab")
	if v.pane.focus != focusToken {
		t.Fatal("tab again goes to the token")
	}
	h.mustSee(`"sub": "Lonely0000000000000000000000000A"`, `"kid": "jwk-test-0000"`, "↑/↓ scroll")
	h.press("esc")
	if v.pane.focus != focusList || v.side.Cursor() != 1 {
		t.Fatal("esc comes back to the clients")
	}
	h.press("esc")
	onTop[*importScreen](h, "esc on the clients goes back")
}

// TestACheckThatCouldNotBeMadeSaysWhyInASentence: when the project's keys could not be read
// (Stytch answered 429), the signature line says so the way the UI says errors, in full,
// and never as the Go error chain kept for the report.
func TestACheckThatCouldNotBeMadeSaysWhyInASentence(t *testing.T) {
	cause := client.NewErrorInfo(fmt.Errorf("fetch the project's signing keys: %w", &client.APIError{API: "stytch", Method: "GET",
		Path: "/v1/b2b/sessions/jwks/project-test-6c1a2b3c-0000-4d5e-8f90-123456789abc", Status: 429, Code: "too_many_requests",
		Message: "Too many requests, slow down", RequestID: "request-id-test-0123"}))
	atBothSizes(t, func(t *testing.T, w, ht int) {
		src, tgt := fakes()
		cfg := testConfig(src, tgt)
		cfg.Now = func() time.Time { return goldenNow }
		h := newHarness(t, cfg, w, ht)
		inv := demoInventory()
		h.send(connectedMsg{source: src, target: tgt, next: toPick})
		h.send(scopesDoneMsg{clients: []client.Client{inv.Clients[0], inv.Clients[3]}})
		runSyntheticWith(h.top().(*importScreen), true, func(c *client.Client) *client.Checklist {
			cl := goldenCheck(c.ID, c.Scopes.String())
			cl.Checks[0] = client.Check{Name: "signature", Status: client.CheckFail, Expected: "RS256 by a key in the project's JWKS",
				Actual: "alg RS256, kid jwk-test-0000", Note: "no project key to check it with: " + cause.Message, Cause: cause}
			return cl
		})
		h.press("enter")
		onTop[*validateScreen](h, "enter after the run")
		nospace := func(s string) string { return strings.ReplaceAll(s, " ", "") }
		want := "✗ signature  no project key to check it with: Stytch is rate limiting m2mport. Wait a minute, then try again."
		if !strings.Contains(nospace(unwrap(h.plain())), nospace(want)) {
			t.Fatalf("the signature line does not read %q:\n%s", want, h.plain())
		}
		h.mustNotSee("GET /v1", "too_many_requests", "fetch the project's")
		// Highlighted in turn, the other failed line keeps the same sentence under its row.
		h.press("tab", "down")
		if !strings.Contains(nospace(unwrap(h.plain())), nospace("Stytch is rate limiting m2mport.")) {
			t.Fatalf("under its row the note is cut:\n%s", h.plain())
		}
		h.mustNotSee("GET /v1", "too_many_requests")
	})
}

// tokenSource is a source that can mint Auth0 tokens for the comparison: it fails with err.
type tokenSource struct {
	*fakeSource
	err error
}

func (s tokenSource) Token(context.Context, string, client.Secret, string) (client.Secret, error) {
	return client.Secret{}, s.err
}

// openValidate runs a synthetic import of Orders sync and Lonely worker (no grants) from src
// (nil: a fake source) and opens Validate at w×h. Its clock, also returned, reads goldenNow
// until the test moves it.
func openValidate(t *testing.T, src client.Source, w, h int) (*harness, *validateScreen, *time.Time) {
	t.Helper()
	fsrc, tgt := fakes()
	if src == nil {
		src = fsrc
	}
	cfg := testConfig(fsrc, tgt)
	now := goldenNow
	cfg.Now = func() time.Time { return now }
	hs := newHarness(t, cfg, w, h)
	inv := demoInventory()
	hs.send(connectedMsg{source: src, target: tgt, next: toPick})
	hs.send(scopesDoneMsg{clients: []client.Client{inv.Clients[0], inv.Clients[3]}})
	runSynthetic(hs.top().(*importScreen), true)
	hs.press("enter")
	return hs, onTop[*validateScreen](hs, "enter after the run"), &now
}

// to moves Validate's cursor to the client named name.
func (v *validateScreen) to(t *testing.T, h *harness, name string) {
	t.Helper()
	for _, dir := range []string{"down", "up"} {
		for range v.proofs {
			if v.current().item.Client.Name == name {
				return
			}
			h.press(dir)
		}
	}
	t.Fatalf("no client %q", name)
}

// a, pressed with the token in focus, shows what came of it there: the answer used to be
// drawn only above the checks, which the token pane hides, so the key seemed to do nothing.
// A client with no Auth0 grant has no Auth0 token, as it should: that is said plainly, not
// as a red error.
func TestValidateCompareFromTheTokenPaneShowsItsAnswer(t *testing.T) {
	atBothSizes(t, func(t *testing.T, w, ht int) {
		fsrc, _ := fakes()
		src := tokenSource{fakeSource: fsrc, err: &client.APIError{API: "auth0", Status: 403, Code: "access_denied", Message: "Client has not been granted scopes"}}
		h, v, _ := openValidate(t, src, w, ht)
		v.to(t, h, "Lonely worker")
		h.press("tab", "tab")
		if v.pane.focus != focusToken {
			t.Fatalf("focus %v", v.pane.focus)
		}
		h.press("a")
		h.mustSee("· Nothing to compare with Auth0")
		h.mustNotSee("✗")
		nospace := func(s string) string { return strings.ReplaceAll(s, " ", "") }
		if !strings.Contains(nospace(unwrap(h.plain())), nospace("it has no Auth0 grant, so Auth0 issues it no token.")) {
			t.Fatalf("the reason is not said in full:\n%s", h.plain())
		}
		h.press("a", "esc") // back to the checks, then to the clients
		v.to(t, h, "Orders sync")
		h.press("tab", "tab", "a")
		h.mustSee("✗ No Auth0 token for Orders API")
	})
}

// The checks and the token say their times against one clock, and it ticks: "now" becomes
// "10 s ago" in both, and the status line says how long the token has left, in words,
// where it used to say "token 0%".
func TestValidateTimesTickOnOneClock(t *testing.T) {
	atBothSizes(t, func(t *testing.T, w, ht int) {
		h, v, now := openValidate(t, nil, w, ht)
		h.mustSee("token expires in 1 h")
		// A tick as the program delivers it (the harness would wait for the next).
		tick := func(d time.Duration) {
			*now = goldenNow.Add(d)
			v.Update(clockMsg{to: to(v.sid), at: *now})
		}
		tick(10 * time.Second)
		h.press("tab") // the checks: the last one, iat, spelled out in full under them
		for range v.pane.checks {
			h.press("down")
		}
		h.mustSee("token expires in 59 min 50 s", "2026-11-02T09:30:00Z (10 s ago)")
		h.mustNotSee("(now)", "token 0%")
		h.press("tab") // the token itself, against the same clock
		h.mustSee("09:30:00 UTC, 10 s ago")
		tick(61 * time.Minute)
		h.mustSee("token expired 1 min ago")
	})
	// The first tick comes from Init, and each one asks for the next.
	_, v, now := openValidate(t, nil, 100, 30)
	if msg, ok := v.Init()().(clockMsg); !ok || msg.screenID() != v.sid {
		t.Fatalf("Init gives %T, want the first clockMsg", v.Init()())
	}
	if v.Update(clockMsg{to: to(v.sid), at: *now}) == nil {
		t.Fatal("a tick does not ask for the next")
	}
}

// y copies the current client's token to the clipboard (OSC 52), on purpose only: the footer
// says it copies a secret, the screen never shows the token, and a client without a token
// offers no y.
func TestValidateCopiesTheTokenOnPurpose(t *testing.T) {
	atBothSizes(t, func(t *testing.T, w, ht int) {
		h, v, _ := openValidate(t, nil, w, ht)
		h.press("?")
		h.mustSee("copy the token to the clipboard: a secret")
		h.press("?")
		cmd := v.Update(keyPress("y"))
		if cmd == nil {
			t.Fatal("y gives no command")
		}
		msg := cmd()
		if rv := reflect.ValueOf(msg); rv.Kind() != reflect.String || rv.String() != goldenToken || !strings.Contains(fmt.Sprintf("%T", msg), "Clipboard") {
			t.Fatalf("y gives %T, want tea.SetClipboard of the token", msg)
		}
		h.mustSee("✓ Token copied", "a secret")
		if strings.Contains(h.plain(), goldenToken[20:40]) {
			t.Fatal("the token is on the screen")
		}
		h.press("down")
		h.mustNotSee("Token copied") // said once, until the next key
		v.current().check.Token = client.Secret{}
		if v.canCopy() || v.Update(keyPress("y")) != nil {
			t.Fatal("a client without a token offers y")
		}
	})
}

// TestFormsMoveAndRevealAlike: the token check's and Manual's fields take the keys
// Connect's do (↓ and tab forward, ↑ and shift+tab back, ctrl+r shows and hides secrets),
// and on the token check's result shift+tab goes to the other pane as tab does.
func TestFormsMoveAndRevealAlike(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.send(connectedMsg{source: src, target: tgt, next: toManual})
	m := onTop[*manualScreen](h, "manual entry")
	walkForm(t, h, &m.form)
	h = newHarness(t, testConfig(src, tgt), 100, 30)
	h.send(connectedMsg{source: src, target: tgt, next: toCheck})
	s := onTop[*spotCheckScreen](h, "the token check")
	walkForm(t, h, &s.form)
	s.showResult(goldenCheck("Bq4nR8sT2uV6wX0yZ3aB7cD1eF5gH9iJ", "read:invoices"))
	h.press("shift+tab")
	if s.pane.focus != focusToken {
		t.Fatalf("shift+tab on the result: focus %v, want the token", s.pane.focus)
	}
	h.press("shift+tab")
	if s.pane.focus != focusChecks {
		t.Fatalf("shift+tab again: focus %v, want the checks", s.pane.focus)
	}
}

// walkForm presses a form's moving and reveal keys, from its first field.
func walkForm(t *testing.T, h *harness, f *form) {
	t.Helper()
	for _, step := range []struct {
		key  string
		want int
	}{{"down", 1}, {"up", 0}, {"tab", 1}, {"shift+tab", 0}} {
		h.press(step.key)
		if f.focus != step.want {
			t.Fatalf("%s: focus on field %d, want %d", step.key, f.focus, step.want)
		}
	}
	for _, want := range []bool{true, false} {
		h.press("ctrl+r")
		if f.reveal != want {
			t.Fatalf("ctrl+r: secrets shown %v, want %v", f.reveal, want)
		}
	}
}

// TestPanesTakeTheListKeys: the clients, the checks and the token move with the keys a list
// takes: g/G (home/end) go to the first and last client or check, or the token's top and
// bottom; ctrl+d/u page the token like pgdn/pgup.
func TestPanesTakeTheListKeys(t *testing.T) {
	h, v, _ := openValidate(t, nil, 60, 20)
	for _, step := range []struct {
		key  string
		want int
	}{{"G", 1}, {"g", 0}, {"end", 1}, {"home", 0}} {
		h.press(step.key)
		if got := v.side.Cursor(); got != step.want || v.current() != &v.proofs[step.want] {
			t.Fatalf("%s on the clients: client %d, want %d", step.key, got, step.want)
		}
	}
	h.press("tab") // the checks
	if v.pane.focus != focusChecks {
		t.Fatalf("tab: focus %v", v.pane.focus)
	}
	last := len(v.pane.checks) - 1
	for _, step := range []struct {
		key  string
		want int
	}{{"G", last}, {"g", 0}, {"end", last}, {"home", 0}} {
		h.press(step.key)
		if got := v.pane.list.Cursor(); got != step.want {
			t.Fatalf("%s on the checks: check %d, want %d", step.key, got, step.want)
		}
	}
	h.press("tab") // the token
	if v.pane.focus != focusToken {
		t.Fatalf("tab: focus %v", v.pane.focus)
	}
	h.press("ctrl+d")
	if v.pane.vp.YOffset() == 0 {
		t.Fatal("ctrl+d did not scroll the token")
	}
	h.press("G")
	if !v.pane.vp.AtBottom() {
		t.Fatal("G did not scroll the token to its end")
	}
	h.press("g")
	if !v.pane.vp.AtTop() {
		t.Fatal("g did not scroll the token to its top")
	}
}
