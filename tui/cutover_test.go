package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
)

// wideningInventory is demoInventory where two clients' Stytch tokens would reach further
// than their Auth0 tokens: Orders sync's Orders API grant requires an organization, and
// Billing reconciler holds refund:payments, which a Refunds API defines too.
func wideningInventory() *client.Inventory {
	inv := demoInventory()
	refunds := client.API{Identifier: "https://refunds.acme.test/", Name: "Refunds API", TokenLifetime: 86400, Scopes: []client.ScopeInfo{
		{Value: "refund:payments", Description: "Refund payments"},
		{Value: "read:refunds", Description: "Read refunds"},
	}}
	inv.APIs = append(inv.APIs, refunds)
	for i := range inv.APIs {
		inv.APIs[i].TokenLifetime = 86400
	}
	orders := &inv.Clients[0]
	orders.Grants[0].OrgUsage = client.OrgRequire
	billing := &inv.Clients[1]
	billing.Grants[0].Scopes = billing.Grants[0].Scopes.With("refund:payments")
	billing.Scopes = client.ScopesOf(billing.Grants, nil)
	return inv
}

// wideningHarness connects fakes serving wideningInventory and opens Scopes for its two
// importable clients that widen access.
func wideningHarness(t *testing.T, w, h int) (*harness, *client.Inventory) {
	t.Helper()
	src, tgt := fakes()
	inv := wideningInventory()
	src.inv = inv
	hs := newHarness(t, testConfig(src, tgt), w, h)
	hs.send(connectedMsg{source: src, target: tgt, next: toPick})
	hs.send(pickedMsg{clients: []client.Client{inv.Clients[0], inv.Clients[1]}, apis: inv.APIs, inv: inv, guard: client.NewGuard(inv)})
	return hs, inv
}

func TestGoldenWidening(t *testing.T) {
	scenes := []struct {
		name  string
		steps func(h *harness)
	}{
		{"scopes_widening", func(h *harness) {}},
		{"import_widening", func(h *harness) { h.press("enter") }},
		{"import_accept", func(h *harness) { h.press("enter", "w") }},
		{"cutover", func(h *harness) { h.press("enter", "c") }},
		{"cutover_next", func(h *harness) { h.press("enter", "c", "tab") }},
	}
	for _, sc := range scenes {
		for _, size := range [][2]int{{100, 30}, {60, 20}} {
			t.Run(sc.name+"/"+sizeName(size), func(t *testing.T) {
				h, _ := wideningHarness(t, size[0], size[1])
				sc.steps(h)
				out := h.view()
				if strings.Contains(out, "s3cr3t-") {
					t.Fatal("a secret reached the golden file")
				}
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

// Dropping on the Scopes screen makes the client ready; accepting on the plan, after a
// confirmation that names the API, makes it a create that says it was accepted.
func TestWideningResolvedInTheTUI(t *testing.T) {
	h, inv := wideningHarness(t, 100, 30)
	sc := h.top().(*scopesScreen)
	h.mustSee("! widens access: the Orders API gives `read:orders` and", "! Orders API: for an organization only")

	// Orders sync: untick the Orders API (its row is the first).
	h.press("space")
	if len(sc.widenings(sc.draft())) != 0 {
		t.Fatalf("unticked, it still widens: %v", sc.widenings(sc.draft()))
	}
	h.mustNotSee("for an organization only")

	h.press("enter")
	imp := h.top().(*importScreen)
	byID := map[string]*client.Item{}
	for i := range imp.plan.Items {
		byID[imp.plan.Items[i].Client.ID] = &imp.plan.Items[i]
	}
	if it := byID[inv.Clients[0].ID]; it.Action != client.ActionCreate || it.Client.Scopes.Has("read:orders") {
		t.Fatalf("Orders sync after the drop: %s %v", it.Action, it.Client.Scopes)
	}
	billing := byID[inv.Clients[1].ID]
	if billing.Action != client.ActionBlocked || len(billing.Widenings) != 1 {
		t.Fatalf("Billing reconciler: %s %+v", billing.Action, billing.Widenings)
	}
	// w is offered only on the client that widens access.
	for i := range imp.plan.Items {
		if &imp.plan.Items[i] == billing {
			imp.list.SetCursor(i)
		}
	}
	imp.syncKeys()
	h.press("w")
	h.mustSee("Widen Billing reconciler's access knowingly?", "Refunds API", "y accept knowingly")
	h.press("n")
	if billing.Action != client.ActionBlocked {
		t.Fatal("n accepted")
	}
	h.press("w", "y")
	if billing.Action != client.ActionCreate || !billing.Client.Scopes.Has("refund:payments") {
		t.Fatalf("accepted: %s %v", billing.Action, billing.Client.Scopes)
	}
	h.mustSee("accepted knowingly: widens access: `refund:payments` is also the Refunds API's scope")

	// Back to Scopes and on again: the acceptance holds.
	h.press("esc")
	h.press("enter")
	imp = h.top().(*importScreen)
	for _, it := range imp.plan.Items {
		if it.Action != client.ActionCreate {
			t.Errorf("%s after going back and on: %s", it.Client.Name, it.Action)
		}
	}

	// The cutover pages: the plan's clients as chosen, Refunds API (which widens) first.
	h.press("c")
	cut := h.top().(*cutoverScreen)
	if cut.cut == nil || cut.cut.APIs[0].Name != "Refunds API" {
		t.Fatalf("cutover %+v", cut.cut)
	}
	h.mustSee("Cutting services over", "Access would widen for 1 client, on 1 API, as accepted knowingly.", "Billing reconciler (accepted knowingly)",
		"[ ] require one of its scopes in every token:")
	h.press("esc")
	if _, ok := h.top().(*importScreen); !ok {
		t.Fatalf("esc from cutover: %T", h.top())
	}
}

// From Validate too, against the demo tenant: the pages name the shared scope, the
// organization-bound grant, and what an audience-only check would admit.
func TestCutoverFromValidateOnTheDemo(t *testing.T) {
	h := newHarness(t, sandboxConfig(t, sandbox.Options{Seed: "demo"}), 100, 30)
	h.press("enter", "enter", "enter", "enter", "enter", "y")
	if _, ok := h.top().(*importScreen); !ok {
		t.Fatalf("got %T", h.top())
	}
	h.press("enter")
	if _, ok := h.top().(*validateScreen); !ok {
		t.Fatalf("got %T", h.top())
	}
	h.press("c")
	if _, ok := h.top().(*cutoverScreen); !ok {
		t.Fatalf("c on Validate opened %T", h.top())
	}
	h.mustSee("Something would widen access: 2 clients, on 2 APIs.", "Orders API", "organization-bound: Partner Webhooks", "checking only the audience would admit")
	h.press("tab")
	h.mustSee("Payouts API", "`read:payments` is also the Billing API's scope: 1 client", "Zahlungsabgleich")
}
