package tui

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
)

// openImport opens Import with clients, against the fakes.
func openImport(t *testing.T, tgt *fakeTarget, clients ...client.Client) (*harness, *importScreen) {
	t.Helper()
	src, _ := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.send(connectedMsg{source: src, target: tgt, next: toPick})
	h.send(scopesDoneMsg{clients: clients})
	s, ok := h.top().(*importScreen)
	if !ok || s.phase != impReview {
		t.Fatalf("got %T", h.top())
	}
	return h, s
}

func TestImportWithNothingToDoSaysSo(t *testing.T) {
	_, tgt := fakes()
	inv := demoInventory()
	h, s := openImport(t, tgt, inv.Clients[2]) // private_key_jwt: blocked
	h.mustSee("1 blocked", "authenticates with private_key_jwt", "Nothing to import")
	h.press("enter")
	if s.phase != impReview {
		t.Fatal("enter with nothing to import stays on the plan")
	}
	h.mustSee("Nothing to import: every chosen client is blocked")
}

func TestImportWaitsAndRetriesAreShownLive(t *testing.T) {
	_, tgt := fakes()
	inv := demoInventory()
	h, s := openImport(t, tgt, inv.Clients[0], inv.Clients[1])
	s.phase = impRunning
	s.Update(eventsMsg{to: to(s.sid), events: []client.Event{
		{Kind: client.EventStarted, Index: 0},
		{Kind: client.EventWaiting, Index: 0, Wait: &client.WaitInfo{Reason: client.WaitRateLimited, Status: 429, DelayMS: 1200}},
		{Kind: client.EventStarted, Index: 1},
		{Kind: client.EventRetried, Index: 1, Attempt: 2, Message: "no answer from Stytch; checking whether it was created"},
	}})
	h.mustSee("rate limited — waiting 1.2 s", "retry 2: no answer from Stytch", "writing")
	s.Update(eventsMsg{to: to(s.sid), events: []client.Event{
		{Kind: client.EventKind(client.StateFailed), Index: 0, State: client.StateFailed, Message: "Stytch refused the secret: it is too weak",
			Error: &client.ErrorInfo{Message: "stytch POST /v1/m2m/clients: 400 insecure_m2m_client_secret", Code: client.CodeInsecureSecret}},
	}})
	h.mustSee("✗ failed", "Stytch refused the secret: it is too weak")
	h.mustNotSee("rate limited", "POST /v1/m2m/clients")
}

// TestVerifiedClientsLoseTheirWaitNotes: a wait while the token is checked says so, and the
// verdict replaces it; a finished run shows no stale "rate limited — waiting".
func TestVerifiedClientsLoseTheirWaitNotes(t *testing.T) {
	_, tgt := fakes()
	inv := demoInventory()
	h, s := openImport(t, tgt, inv.Clients[0])
	s.phase = impRunning
	s.Update(eventsMsg{to: to(s.sid), events: []client.Event{
		{Kind: client.EventStarted, Index: 0},
		{Kind: client.EventKind(client.StateImported), Index: 0, State: client.StateImported},
		{Kind: client.EventWaiting, Index: 0, Wait: &client.WaitInfo{Reason: client.WaitRateLimited, Status: 429, DelayMS: 1100}},
	}})
	h.mustSee("✓ imported", "token check: rate limited — waiting 1.1 s")
	s.Update(eventsMsg{to: to(s.sid), events: []client.Event{
		{Kind: client.EventVerified, Index: 0, Check: goldenCheck(inv.Clients[0].ID, inv.Clients[0].Scopes.String())},
	}})
	h.mustSee("✓ token checks pass")
	h.mustNotSee("rate limited")
}

// TestNoReportNoRun: when the run report can't be written, nothing is imported and the
// summary says why and what to do, as headless import does.
func TestNoReportNoRun(t *testing.T) {
	src, tgt := fakes()
	inv := demoInventory()
	cfg := testConfig(src, tgt)
	cfg.ReportPath = func(string) (string, error) { return "/dev/null/runs/report.json", nil }
	h := newHarness(t, cfg, 100, 30)
	h.send(connectedMsg{source: src, target: tgt, next: toPick})
	h.send(scopesDoneMsg{clients: []client.Client{inv.Clients[0]}})
	h.press("enter", "y")
	s := h.top().(*importScreen)
	if s.phase != impDone || s.summary == nil || s.summary.NotStarted == "" {
		t.Fatalf("phase %v summary %+v", s.phase, s.summary)
	}
	if len(tgt.stored) != 0 {
		t.Fatalf("a run without its report wrote %d clients", len(tgt.stored))
	}
	h.mustSee("Import not started", "✗ Nothing was written to Stytch", "XDG_STATE_HOME")
	h.mustNotSee("✓ Done", "No report file was asked for", "█", "1/1")

	// Without even a place for it, the run does not start at all.
	cfg.ReportPath = func(string) (string, error) {
		return "", errors.New("find a place for the run report: $HOME is not defined")
	}
	h = newHarness(t, cfg, 100, 30)
	h.send(connectedMsg{source: src, target: tgt, next: toPick})
	h.send(scopesDoneMsg{clients: []client.Client{inv.Clients[0]}})
	h.press("enter", "y")
	if s := h.top().(*importScreen); s.phase != impReview {
		t.Fatalf("phase %v", s.phase)
	}
	h.mustSee("Nothing imported: find a place for the run report")
}

// TestALockedProjectSaysWhoHoldsIt: when another run holds the project's lock, the run
// writes nothing, and the screen says which run holds it and what to do, in full; its
// clients were not cancelled, they were never started.
func TestALockedProjectSaysWhoHoldsIt(t *testing.T) {
	src, tgt := fakes()
	inv := demoInventory()
	cfg := testConfig(src, tgt)
	cfg.StateDir = t.TempDir()
	holder := client.LockHolder{PID: 4242, Host: "build-7", Kind: "import", Started: time.Date(2026, 3, 1, 9, 30, 0, 0, time.Local)}
	l, err := client.LockProject(cfg.StateDir, tgt.ProjectID(), holder)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	h := newHarness(t, cfg, 100, 30)
	h.send(connectedMsg{source: src, target: tgt, next: toPick})
	h.send(scopesDoneMsg{clients: []client.Client{inv.Clients[0], inv.Clients[1]}})
	h.press("enter", "y")
	s := h.top().(*importScreen)
	if s.phase != impDone || s.summary == nil || !s.summary.Locked {
		t.Fatalf("phase %v summary %+v", s.phase, s.summary)
	}
	if len(tgt.stored) != 0 {
		t.Fatalf("a run that could not take the lock wrote %d clients", len(tgt.stored))
	}
	// The message wraps over several lines: read it as one.
	text := strings.Join(strings.Fields(h.plain()), " ")
	for _, want := range []string{"Import not started", "2 not started", "– not started",
		"✗ Nothing was written to Stytch", "2026-03-01 09:30:00 (pid 4242 on build-7)",
		"wait for it to end (or stop it), then run again", "Once that run has ended, go back (esc) and import again"} {
		if !strings.Contains(text, want) {
			t.Errorf("the screen does not say %q:\n%s", want, h.plain())
		}
	}
	h.mustNotSee("cancelled", "XDG_STATE_HOME", "█", "2/2")
	h.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	text = strings.Join(strings.Fields(h.plain()), " ")
	if !strings.Contains(text, "(pid 4242 on build-7)") || !strings.Contains(text, "then run again") {
		t.Errorf("at 60×20 the lock's holder or what to do is cut:\n%s", h.plain())
	}
}

// footerLine is the last line of the frame: the keys the screen offers.
func (h *harness) footerLine() string {
	lines := strings.Split(h.plain(), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// startHeld confirms the plan and starts the run, holding its events: the returned command
// plays the run to its end.
func startHeld(t *testing.T, h *harness) tea.Cmd {
	t.Helper()
	h.press("enter")
	_, run := h.app.Update(keyPress("y"))
	if s := h.top().(*importScreen); s.phase != impRunning {
		t.Fatalf("phase %v", s.phase)
	}
	return run
}

// TestAQuestionAboutTheRunEndsWithTheRun: "Cancel the import?" and "Quit while importing?"
// ask about a run; when it finishes while they are open they close, and while they are
// open the footer offers their answers, not the screen's keys.
func TestAQuestionAboutTheRunEndsWithTheRun(t *testing.T) {
	for _, q := range []struct{ key, title, answers string }{
		{"esc", "Cancel the import?", "y cancel · n keep going"},
		{"q", "Quit while importing?", "y quit · n keep going"},
	} {
		t.Run(q.key, func(t *testing.T) {
			_, tgt := fakes()
			h, s := openImport(t, tgt, demoInventory().Clients[0])
			run := startHeld(t, h)
			h.press(q.key)
			h.mustSee(q.title)
			if f := h.footerLine(); !strings.HasPrefix(f, q.answers) {
				t.Fatalf("the footer offers %q while %q asks", f, q.title)
			}
			h.run(run)
			if s.phase != impDone || h.quit {
				t.Fatalf("phase %v quit %v", s.phase, h.quit)
			}
			h.mustSee("Import finished")
			h.mustNotSee(q.title)
			if f := h.footerLine(); !strings.HasPrefix(f, "enter validate") {
				t.Fatalf("the footer after the run: %q", f)
			}
			h.press("y", "n")
			if h.top() != screen(s) || h.quit || s.summary.Canceled {
				t.Fatal("y and n after the run answer nothing")
			}
		})
	}
}

// TestAConflictAnUpdateCannotFixSaysWhyInFull: a client typed by hand whose id is in
// Stytch with another secret can't be imported; the details say why and what to do in
// full, the footer offers no key that does nothing, and "Nothing to import" is said once.
func TestAConflictAnUpdateCannotFixSaysWhyInFull(t *testing.T) {
	src, tgt := fakes()
	tgt.stored = map[string]client.Stored{"svc-orders-01": {ID: "svc-orders-01", Name: "Orders", Scopes: client.NewScopes("read:orders"), SecretLast4: "ez6-", Status: "active"}}
	h := newHarness(t, testConfig(src, tgt), 60, 20)
	h.press("enter", "m")
	h.typeText("svc-orders-01")
	h.press("tab")
	h.paste("Zx8-kP2q-Lm4r-Vb7n-Qw9e")
	h.press("tab")
	h.typeText("read:orders write:orders")
	h.press("enter")
	s, ok := h.top().(*importScreen)
	if !ok || s.phase != impReview {
		t.Fatalf("got %T", h.top())
	}
	nospace := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	why := "another secret (••••ez6-, not ••••Qw9e); a secret can't be replaced in place: delete the client in Stytch and run again."
	if !strings.Contains(nospace(unwrap(h.plain())), nospace(why)) {
		t.Fatalf("the reason is not there in full:\n%s", h.plain())
	}
	if f := h.footerLine(); f != "esc back · ? more keys · q quit" {
		t.Fatalf("the footer offers keys that do nothing here: %q", f)
	}
	if n := strings.Count(h.plain(), "Nothing to import"); n != 1 {
		t.Fatalf("%q said %d times:\n%s", "Nothing to import", n, h.plain())
	}
	h.press("enter", "space", "u")
	if s.phase != impReview || s.plan.Items[0].Resolution != client.ResolveSkip {
		t.Fatalf("phase %v resolution %v", s.phase, s.plan.Items[0].Resolution)
	}
	if n := strings.Count(h.plain(), "Nothing to import"); n != 1 {
		t.Fatalf("%q said %d times after enter:\n%s", "Nothing to import", n, h.plain())
	}
}

// TestOnlyYStartsARun: enter opens the question, and a second enter does not answer it, on
// a live project least of all; y does. For identical clients alone, y says what it does.
func TestOnlyYStartsARun(t *testing.T) {
	for _, live := range []bool{false, true} {
		_, tgt := fakes()
		tgt.live = live
		h, s := openImport(t, tgt, demoInventory().Clients[0])
		h.press("enter", "enter")
		if s.phase != impConfirm || len(tgt.stored) != 0 {
			t.Fatalf("live %v: a second enter answered: phase %v, %d written", live, s.phase, len(tgt.stored))
		}
		h.mustSee("y import · n back to the plan")
		h.press("y")
		if s.phase != impDone || len(tgt.stored) != 1 {
			t.Fatalf("live %v: y did not import: phase %v", live, s.phase)
		}
	}

	_, tgt := fakes()
	c := demoInventory().Clients[0]
	tgt.stored = map[string]client.Stored{c.ID: {ID: c.ID, Name: c.Name, Scopes: c.Scopes, SecretLast4: c.Secret.Last4(), Status: "active"}}
	h, _ := openImport(t, tgt, c)
	h.press("enter")
	h.mustSee("Check the identical clients?", "y check their tokens · n back to the plan")
	h.mustNotSee("y import")
}

// TestTheReportPathIsShownWhole: the run report's path is for copying; a narrow terminal
// wraps it instead of cutting it.
func TestTheReportPathIsShownWhole(t *testing.T) {
	src, tgt := fakes()
	path := filepath.Join(t.TempDir(), "m2mport", "runs", "20261126T012122.000Z-import-project-test-85f96c6b-f39a-416a-8d69-e74ba24b3fcf.json")
	cfg := testConfig(src, tgt)
	cfg.ReportPath = func(string) (string, error) { return path, nil }
	h := newHarness(t, cfg, 60, 20)
	h.send(connectedMsg{source: src, target: tgt, next: toPick})
	h.send(scopesDoneMsg{clients: []client.Client{demoInventory().Clients[0]}})
	h.press("enter", "y")
	h.mustSee("Import finished", "Report")
	if !strings.Contains(unwrap(h.plain()), path) {
		t.Fatalf("the report path %s is not there whole:\n%s", path, h.plain())
	}
}

// TestThePlanFooterFollowsTheChoices: enter, space and u are offered, and worded, by what
// they would do now.
func TestThePlanFooterFollowsTheChoices(t *testing.T) {
	_, tgt := fakes()
	c := demoInventory().Clients[0]
	tgt.stored = map[string]client.Stored{c.ID: {ID: c.ID, Name: c.Name, Scopes: client.NewScopes("read:orders"), SecretLast4: c.Secret.Last4(), Status: "active"}}
	h, _ := openImport(t, tgt, c)
	for _, step := range []struct{ key, footer string }{
		{"", "space update it · esc back · u update all conflicts · ? more keys · q quit"},
		{"space", "enter import · space keep it as is · esc back · ? more keys · q quit"},
		{"space", "space update it · esc back · u update all conflicts · ? more keys · q quit"},
		{"u", "enter import · space keep it as is · esc back · ? more keys · q quit"},
	} {
		if step.key != "" {
			h.press(step.key)
		}
		if f := h.footerLine(); f != step.footer {
			t.Fatalf("after %q the footer reads %q, want %q", step.key, f, step.footer)
		}
	}
}

// A run stopped before some tokens were checked says they were not checked: not that they
// passed, nor that they failed.
func TestTheSummarySaysWhichTokensWereNotChecked(t *testing.T) {
	_, tgt := fakes()
	h, _ := openImport(t, tgt, demoInventory().Clients[0])
	h.press("enter", "y")
	s, ok := h.top().(*importScreen)
	if !ok || s.summary == nil {
		t.Fatalf("no finished run on %T", h.top())
	}
	s.summary.Canceled = true
	s.summary.Progress.Verify, s.summary.Progress.Verified, s.summary.Progress.CheckFailed = 3, 2, 0
	h.mustSee("1 of 3 not checked: the run stopped first")
	h.mustNotSee("failed a token check", "passes every check")
}

// A run stopped before any token was checked offers no Validate (it would be empty), and its
// rows say their token was not checked instead of keeping the last wait's news.
func TestARunStoppedBeforeItsChecksOffersNoValidate(t *testing.T) {
	_, tgt := fakes()
	h, _ := openImport(t, tgt, demoInventory().Clients[0])
	h.press("enter", "y")
	s := h.top().(*importScreen)
	for i := range s.live {
		s.live[i].check, s.live[i].note = nil, "token check: rate limited — waiting 1.2 s"
	}
	s.apply(client.Event{Kind: client.EventFinished, Index: -1, Summary: &client.Summary{Canceled: true,
		Progress: client.Progress{Total: 1, Done: 1, Imported: 1, Verify: 1}}})
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30}) // redraw
	h.mustSee("token not checked: the run stopped first")
	h.mustNotSee("enter validate", "waiting 1.2 s")
	h.press("enter")
	onTop[*importScreen](h, "enter with nothing to validate")
}

// Quitting during a run, once confirmed, ends the program as interrupted, so the command's
// exit status can say the import did not finish; quitting with nothing in flight does not.
func TestQuittingDuringARunIsAnInterruption(t *testing.T) {
	_, tgt := fakes()
	h, _ := openImport(t, tgt, demoInventory().Clients[0])
	if err := finalError(h.app, nil); err != nil {
		t.Fatalf("nothing in flight: %v", err)
	}
	run := startHeld(t, h)
	h.press("q", "y")
	if err := finalError(h.app, nil); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("quit during the run: %v", err)
	}
	h.run(run)
}
