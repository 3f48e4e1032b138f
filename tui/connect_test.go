package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/keystore"
)

func TestConnectVerifiesBothSidesThenOpensPick(t *testing.T) {
	src, tgt := fakes()
	src.info.Missing = []client.MissingPermission{{Scope: "read:client_keys", Consequence: "client secrets are hidden, so no client can be imported"}}
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	c := h.top().(*connectScreen)
	if c.Capturing() || c.form.focus != -1 {
		t.Fatalf("a prefilled form starts with no field focused; focus %d", c.form.focus)
	}
	h.press("enter")
	if c.state != connVerified {
		t.Fatalf("state %v after connect", c.state)
	}
	h.mustSee("✓ acme · 4 M2M clients", "✓ project-test-6c1a2b3c", "read:client_keys missing: client secrets are hidden")
	h.press("enter")
	onTop[*pickScreen](h, "enter after connecting")
	if h.app.session.source != src || h.app.session.target != tgt {
		t.Fatal("the session keeps the connected source and target")
	}
}

func TestConnectShowsWhatWentWrongAndWhereToLook(t *testing.T) {
	src, tgt := fakes()
	src.connectErr = &client.APIError{API: "auth0", Status: 401, Code: "access_denied", Message: "Unauthorized", RequestID: "req-9"}
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	c := h.top().(*connectScreen)
	h.press("enter")
	if c.state != connReady || c.Capturing() {
		t.Fatalf("a failed source says why with no field focused: state %v focus %d", c.state, c.form.focus)
	}
	h.mustSee("✗ Auth0 rejected these credentials.", "Management API", "request id req-9", "✓ project-test")
	h.mustNotSee("401", "APIError", "access_denied")

	// e edits from the failed side's first field; editing a field forgets the stale verdicts.
	h.press("e")
	if c.state != connEditing || c.form.focus != fDomain {
		t.Fatalf("e edits at the failed side's first field: state %v focus %d", c.state, c.form.focus)
	}
	h.typeText("x")
	h.mustNotSee("rejected")
}

func TestConnectRequiresTheTargetAndAllOrNothingOfTheSource(t *testing.T) {
	src, tgt := fakes()
	cfg := testConfig(src, tgt)
	cfg.Target.Secret = client.NewSecret("")
	cfg.Source.ClientID = ""
	h := newHarness(t, cfg, 100, 30)
	c := h.top().(*connectScreen)
	h.press("e")
	if c.form.focus != fClientID {
		t.Fatalf("editing starts on the first empty field, got %d", c.form.focus)
	}
	h.press("esc", "enter")
	if c.state != connEditing || c.form.focus != fClientID {
		t.Fatalf("connect must not start with required fields empty, and edits the first: state %v focus %d", c.state, c.form.focus)
	}
	if c.form.fields[fClientID].err != "required" || c.form.fields[fProjectSecret].err != "required" {
		t.Fatal("each empty required field says so")
	}
	if c.form.fields[fBaseURL].err != "" {
		t.Fatal("the base URL is optional")
	}
}

func TestConnectWithStytchOnlyLeadsToManualEntry(t *testing.T) {
	src, tgt := fakes()
	cfg := testConfig(src, tgt)
	cfg.Source = client.SourceCredentials{}
	h := newHarness(t, cfg, 100, 30)
	c := h.top().(*connectScreen)
	h.press("enter")
	if c.state != connVerified || c.source.state != sideSkipped {
		t.Fatalf("state %v, source %v", c.state, c.source.state)
	}
	h.mustSee("Left empty: Stytch only.", "Press enter to type in a client")
	h.press("enter")
	onTop[*manualScreen](h, "enter with Stytch only")
}

func TestSecretsStayMaskedUntilRevealed(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	for _, secret := range []string{"mgmt-secret-value-WXYZ", "project-secret-value-DzJj"} {
		if strings.Contains(h.plain(), secret[:10]) {
			t.Fatalf("%q is on screen before reveal", secret)
		}
	}
	h.mustSee("••••WXYZ", "••••DzJj")
	h.press("ctrl+r")
	h.mustSee("mgmt-secret-value-WXYZ", "project-secret-value-DzJj")
	h.press("ctrl+r")
	h.mustNotSee("mgmt-secret-value")
}

func TestPasteGoesIntoTheFocusedField(t *testing.T) {
	src, tgt := fakes()
	cfg := testConfig(src, tgt)
	cfg.Source.Domain = ""
	h := newHarness(t, cfg, 100, 30)
	h.paste("  tenant.eu.auth0.com\n")
	c := h.top().(*connectScreen)
	if got := c.form.fields[fDomain].value(); got != "tenant.eu.auth0.com" {
		t.Fatalf("pasted domain %q", got)
	}
}

// openLiveConnect is the Connect screen with credentials for a live project.
func openLiveConnect(t *testing.T) (*harness, *connectScreen) {
	t.Helper()
	src, tgt := fakes()
	tgt.projectID = "project-live-0000aaaa-1111-2222-3333-444455556666"
	tgt.live = true
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	return h, h.top().(*connectScreen)
}

func TestLiveProjectNeedsItsIDTyped(t *testing.T) {
	h, c := openLiveConnect(t)
	h.press("enter")
	if c.state != connLiveGuard {
		t.Fatalf("state %v", c.state)
	}
	h.mustSee("PRODUCTION", "is a live project", "Type its id to continue", "LIVE 0000aaaa-1111-2222-3333-444455556666")
	// Asked in place: the credentials just checked stay on the screen behind the question.
	h.mustSee("Source · Auth0", "✓ acme · 4 M2M clients")
	h.typeText("project-live-0000")
	h.press("enter")
	if c.state != connLiveGuard {
		t.Fatal("a partial id must not pass the guard")
	}
	h.mustSee("That is not this project's id")
	h.paste("aaaa-1111-2222-3333-444455556666")
	h.press("enter")
	if c.state != connVerified {
		t.Fatalf("the exact id passes the guard; state %v", c.state)
	}
	h.press("enter")
	h.mustSee("LIVE 0000aaaa-1111-2222-3333-444455556666")
}

func TestCancelledConnectIgnoresLateAnswers(t *testing.T) {
	src, tgt := fakes()
	src.gate = make(chan struct{})
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	c := h.top().(*connectScreen)

	// Start connecting, but hold the source's answer: run the commands by hand.
	_, cmd := h.app.Update(keyPress("enter"))
	if c.state != connVerifying {
		t.Fatalf("state %v", c.state)
	}
	h.mustSee("Connecting…")
	h.press("esc")
	if c.state != connReady {
		t.Fatalf("esc cancels; state %v", c.state)
	}
	close(src.gate)
	h.run(cmd) // the old attempt's answers arrive now
	if c.state != connReady || c.source.state != sideIdle {
		t.Fatalf("a cancelled attempt's answers are dropped: state %v source %v", c.state, c.source.state)
	}
}

func TestFactoryErrorsAreShownAsSentences(t *testing.T) {
	src, tgt := fakes()
	cfg := testConfig(src, tgt)
	cfg.NewSource = func(client.SourceCredentials) (client.Source, error) {
		return nil, errors.New("auth0: domain \"http://evil.example\": use https:// (http:// only for loopback)")
	}
	h := newHarness(t, cfg, 100, 30)
	h.press("enter")
	h.mustSee("✗ Auth0: domain")
}

// brokenKeyring is a keyring that cannot be reached.
type brokenKeyring struct{ keystore.Store }

func (brokenKeyring) SaveSource(context.Context, client.SourceCredentials) error {
	return &keystore.Error{Op: "save auth0:acme", Kind: keystore.ErrUnavailable, Hint: "start a Secret Service (gnome-keyring) or use environment variables"}
}

func TestRememberSavesOnlyVerifiedCredentials(t *testing.T) {
	src, tgt := fakes()
	cfg := testConfig(src, tgt)
	store := keystore.NewMemory()
	cfg.Keystore = store
	h := newHarness(t, cfg, 100, 30)
	h.mustNotSee("remember")
	h.press("enter")
	h.mustSee("k remember")
	h.press("k")
	h.mustSee("Saved in memory (this session only")
	gotSrc, err := store.LoadSource(context.Background(), "")
	if err != nil || gotSrc.Secret.Reveal() != "mgmt-secret-value-WXYZ" || gotSrc.Domain != "acme.us.auth0.com" {
		t.Fatalf("source %+v, %v", gotSrc, err)
	}
	gotTgt, err := store.LoadTarget(context.Background(), "")
	if err != nil || gotTgt.ProjectID != tgt.projectID {
		t.Fatalf("target %+v, %v", gotTgt, err)
	}

	cfg.Keystore = brokenKeyring{keystore.NewMemory()}
	h = newHarness(t, cfg, 100, 30)
	h.press("enter", "k")
	h.mustSee("Not saved: The OS keyring is unavailable.", "Start a Secret Service")
	h.mustNotSee("save auth0:acme")
}

// apart runs commands, batches flattened, each on its own goroutine, as Bubble Tea does, and
// hands back their messages on msgs: for observing a screen while some are held.
type apart struct{ msgs chan tea.Msg }

func runApart(cmd tea.Cmd) apart {
	a := apart{msgs: make(chan tea.Msg, 16)}
	a.run(cmd)
	return a
}

func (a apart) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				a.run(c)
			}
			return
		}
		a.msgs <- msg
	}()
}

// untilWait hands the screens the messages of a, their commands run apart too, until the
// first note of a wait: one that arrives as a message, as any answer does.
func (a apart) untilWait(t *testing.T, h *harness) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case msg := <-a.msgs:
			switch msg.(type) {
			case nil, spinner.TickMsg:
				continue
			}
			_, cmd := h.app.Update(msg)
			a.run(cmd)
			if _, ok := msg.(waitMsg); ok {
				return
			}
		case <-timeout:
			t.Fatal("no wait was noted")
		}
	}
}

// A side that keeps retrying says why under its spinner, not only that it is busy.
func TestConnectSaysWhyASideIsStillChecking(t *testing.T) {
	src, tgt := fakes()
	src.gate = make(chan struct{})
	src.waits = []client.Wait{{Reason: client.WaitRateLimited, Status: 429, Delay: 1200 * time.Millisecond, Attempt: 2}}
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	c := h.top().(*connectScreen)
	_, cmd := h.app.Update(keyPress("enter"))
	run := runApart(cmd)
	run.untilWait(t, h) // the note comes as a message, read in Update
	h.mustSee("Reading the tenant…", "rate limited (HTTP 429), retry 1 after 1.2 s")
	close(src.gate)
	for c.state == connVerifying {
		if msg := <-run.msgs; msg != nil {
			if _, tick := msg.(spinner.TickMsg); !tick {
				h.send(msg)
			}
		}
	}
	h.mustNotSee("retry 1 after")
}

// Once connected, esc does not reopen the form behind the operator's back: the keys that
// follow do what the footer says, and ctrl+r's label says what it will do next.
func TestConnectedScreenKeepsItsKeys(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	c := h.top().(*connectScreen)
	h.press("enter", "esc")
	if c.state != connVerified {
		t.Fatalf("esc after connecting: state %v, want still connected", c.state)
	}
	h.press("ctrl+r")
	if got := c.keys.Reveal.Help().Desc; got != "hide secrets" {
		t.Errorf("with secrets shown, ctrl+r says %q", got)
	}
	h.press("ctrl+r")
	if got := c.keys.Reveal.Help().Desc; got != "show secrets" {
		t.Errorf("with secrets hidden, ctrl+r says %q", got)
	}
	h.press("t")
	onTop[*spotCheckScreen](h, "t opens the token check")
}

// Without an OS keyring, "remember" keeps the credentials in memory and says so, with why
// and what to do, rather than a plain "Saved".
func TestRememberWithoutAKeyringSaysSessionOnly(t *testing.T) {
	src, tgt := fakes()
	cfg := testConfig(src, tgt)
	cfg.Keystore = keystore.NewMemory()
	cfg.KeyringProblem = &keystore.Error{Op: "check", Kind: keystore.ErrUnavailable}
	h := newHarness(t, cfg, 100, 30)
	h.press("enter", "k")
	h.mustSee("Saved in memory (this session only", "keyring is unavailable")
}

// Back on Connect after an import, "N clients already there" counts what the import wrote.
func TestConnectCountsAgainAfterAnImport(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.press("enter")
	h.mustSee("no M2M clients yet")
	h.press("enter")                        // Pick, with the ready clients chosen
	h.press("enter", "enter", "enter", "y") // Scopes, the plan, the question, yes
	h.mustSee("Import finished")
	onTop[*importScreen](h, "the import finished")
	h.press("esc", "esc", "esc")
	onTop[*connectScreen](h, "esc back from the import")
	h.mustSee(plural(len(tgt.stored), "client") + " already there")
}

// The first screen's keys are the ones the README and the footer name: q quits and ? shows
// the keys until the operator starts editing (e, tab or an arrow), and again once esc stops
// it. Before, the Domain field had focus from the start and took q and ? as text.
func TestConnectFirstKeysAreCommandsUntilEditing(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	c := h.top().(*connectScreen)
	domain := c.form.fields[fDomain].value()
	h.mustSee("enter connect", "e edit", "? more keys", "q quit")
	h.press("?")
	h.mustSee("edit the credentials", "fewer keys")
	if got := c.form.fields[fDomain].value(); got != domain {
		t.Fatalf("? was typed into the Domain field: %q", got)
	}
	h.press("?", "e")
	if c.state != connEditing || c.form.focus != fDomain {
		t.Fatalf("e edits from the first field: state %v focus %d", c.state, c.form.focus)
	}
	h.mustSee("esc done", "ctrl+c quit")
	h.typeText("q")
	if h.quit || c.form.fields[fDomain].value() != domain+"q" {
		t.Fatalf("while editing, q is text: %q", c.form.fields[fDomain].value())
	}
	h.press("backspace", "esc")
	if c.state != connReady || c.Capturing() {
		t.Fatalf("esc stops editing: state %v", c.state)
	}
	for _, k := range []string{"tab", "down", "shift+tab", "up"} {
		h.press(k)
		if c.state != connEditing {
			t.Fatalf("%s enters the form: state %v", k, c.state)
		}
		h.press("esc")
	}
	h.mustQuitOn("q quits the first screen", "q")
}

// With nothing filled in, enter starts editing at the Domain rather than marking every
// field required.
func TestConnectBlankFormEnterStartsEditing(t *testing.T) {
	src, tgt := fakes()
	cfg := testConfig(src, tgt)
	cfg.Source, cfg.Target = client.SourceCredentials{}, client.TargetCredentials{}
	h := newHarness(t, cfg, 100, 30)
	c := h.top().(*connectScreen)
	h.mustSee("Press e to type the credentials")
	h.press("enter")
	if c.state != connEditing || c.form.focus != fDomain {
		t.Fatalf("state %v focus %d", c.state, c.form.focus)
	}
	h.mustNotSee("required")
}

// Esc at the live project's question leaves the operator on Connect as they were, the
// checks shown and nothing focused, not in the Domain field: enter asks again, e edits.
func TestLiveGuardEscKeepsTheOperatorOnConnect(t *testing.T) {
	h, c := openLiveConnect(t)
	h.press("enter")
	h.typeText("project")
	h.press("esc")
	if c.state != connReady || c.Capturing() {
		t.Fatalf("esc at the guard: state %v, capturing %v", c.state, c.Capturing())
	}
	h.mustSee("✓ acme · 4 M2M clients", "LIVE — production")
	h.mustNotSee("Type its id")
	h.press("enter")
	if c.state != connLiveGuard {
		t.Fatalf("enter asks again; state %v", c.state)
	}
	h.mustNotSee("› project-") // the question starts empty
	h.press("esc", "e")
	if c.state != connEditing || c.form.focus != fProjectID {
		t.Fatalf("e edits at the project: state %v focus %d", c.state, c.form.focus)
	}
}

// Connect's count is what Pick will list; a large tenant counted without reading it all says
// the count is a lower bound.
func TestConnectSaysWhenTheCountIsALowerBound(t *testing.T) {
	src, tgt := fakes()
	src.info.Clients, src.info.ClientsAtLeast = 140, true
	h := newHarness(t, testConfig(src, tgt), 60, 20)
	h.press("enter")
	h.mustSee("✓ acme · at least 140 M…")
	h = newHarness(t, testConfig(src, tgt), 100, 30)
	h.press("enter")
	h.mustSee("✓ acme · at least 140 M2M clients")
}
