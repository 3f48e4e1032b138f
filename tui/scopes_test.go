package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/m2mport/m2mport/client"
)

// openScopes opens Scopes with Billing reconciler (two APIs) and Orders sync chosen.
func openScopes(t *testing.T, w, h int) (*harness, *scopesScreen) {
	t.Helper()
	src, tgt := fakes()
	hs, _ := openPick(t, src, tgt, w, h)
	hs.press("enter") // the ready clients start chosen
	s, ok := hs.top().(*scopesScreen)
	if !ok {
		t.Fatalf("got %T", hs.top())
	}
	return hs, s
}

func TestScopesToggleOneByOneAndPerAPI(t *testing.T) {
	h, s := openScopes(t, 100, 30)
	d := s.draft()
	if d.name != "Billing reconciler" || d.c.Scopes.String() != "read:invoices read:orders write:invoices" {
		t.Fatalf("first draft %s: %s", d.name, d.c.Scopes)
	}
	h.press("down", "space") // read:invoices
	if d.c.Scopes.Has("read:invoices") {
		t.Fatal("space on a scope unticks it")
	}
	h.mustSee("Billing API  1/2", "[ ] read:invoices", "Read invoices")
	h.press("up", "space") // the Billing API header: one scope was off, so all go on
	if !d.c.Scopes.Has("read:invoices") || !d.c.Scopes.Has("write:invoices") {
		t.Fatalf("space on a partly chosen API turns it all on: %s", d.c.Scopes)
	}
	h.press("space")
	if d.c.Scopes.String() != "read:orders" {
		t.Fatalf("space on a fully chosen API turns it off: %s", d.c.Scopes)
	}
	h.mustSee("Billing API  0/2", "1 chosen")
}

func TestScopesEditAsTextFollowsStytchRules(t *testing.T) {
	h, s := openScopes(t, 100, 30)
	d := s.draft()
	h.press("e")
	if !s.Capturing() {
		t.Fatal("e opens the text editor")
	}
	h.press("ctrl+u")
	h.typeText("read:orders  write:orders")
	h.mustSee("✗ column 13: separate scopes with a single space")
	h.press("enter")
	if s.mode != modeText {
		t.Fatal("an invalid text is not saved")
	}
	h.press("ctrl+u")
	h.typeText("read:orders custom:thing")
	h.press("enter")
	if s.mode != modeBrowse || d.c.Scopes.String() != "custom:thing read:orders" {
		t.Fatalf("saved scopes %q (mode %v)", d.c.Scopes, s.mode)
	}
	h.mustSee("Custom scopes", "[x] custom:thing", "Billing API  0/2")

	h.press("e", "ctrl+u")
	h.typeText("caf\u00e9:menu")
	h.mustSee("is not allowed in a scope (printable ASCII only)")
	h.press("esc")
	if s.mode != modeBrowse || d.c.Scopes.String() != "custom:thing read:orders" {
		t.Fatal("esc cancels the edit")
	}
}

func TestScopesAddCustomScopeAndEditNameAndDescription(t *testing.T) {
	h, s := openScopes(t, 100, 30)
	d := s.draft()
	h.press("+")
	h.typeText("audit:all")
	h.press("enter")
	if !d.c.Scopes.Has("audit:all") || !d.extra.Has("audit:all") {
		t.Fatalf("custom scope not added: %s", d.c.Scopes)
	}
	h.press("n", "ctrl+u")
	h.typeText("Billing reconciler (Stytch)")
	h.press("enter", "d", "ctrl+u")
	h.send(tea.PasteMsg{Content: "Nightly invoice reconciliation"})
	h.press("enter")
	if d.c.Name != "Billing reconciler (Stytch)" || d.c.Description != "Nightly invoice reconciliation" {
		t.Fatalf("name %q description %q", d.c.Name, d.c.Description)
	}
	h.mustSee("Billing reconciler (Stytch)", "Nightly invoice reconciliation")
}

func TestScopesApplyAPIChoiceToAll(t *testing.T) {
	h, s := openScopes(t, 100, 30)
	// Billing reconciler: keep Billing API, drop Orders API.
	rows := s.draft().rows()
	for i, r := range rows {
		if r.scope == "" && r.group >= 0 && s.draft().groups[r.group].name == "Orders API" {
			for range i {
				h.press("down")
			}
		}
	}
	h.press("space")
	if s.draft().c.Scopes.String() != "read:invoices write:invoices" {
		t.Fatalf("scopes %s", s.draft().c.Scopes)
	}
	h.press("A")
	other := &s.drafts[1]
	if other.name != "Orders sync" || len(other.c.Scopes) != 0 {
		t.Fatalf("Orders sync has only Orders API, now off: %s", other.c.Scopes)
	}
	h.mustSee("1 other client changed: Billing API on; Orders API off.")
}

func TestScopesContinueRefusesWhatStytchWould(t *testing.T) {
	src, tgt := fakes()
	src.inv.Clients[0].Scopes = client.NewScopes("read:orders", "bad scope")
	src.inv.Clients[0].Grants[0].Scopes = src.inv.Clients[0].Scopes
	h, _ := openPick(t, src, tgt, 100, 30)
	h.mustSee("! bad scope")
	h.press("n", "G", "space", "enter")
	s := h.top().(*scopesScreen)
	h.mustSee("has a space at position 4")
	h.press("enter")
	if h.top() != s {
		t.Fatal("a scope Stytch would refuse keeps the operator here")
	}
	h.mustSee("Fix Orders sync first")
}
