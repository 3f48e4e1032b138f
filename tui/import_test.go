package tui

import (
	"errors"
	"testing"

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
	h.mustNotSee("✓ Done", "No report file was asked for")

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
