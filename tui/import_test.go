package tui

import (
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
