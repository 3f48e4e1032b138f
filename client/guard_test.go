package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const (
	audOrders  = "https://orders/"
	audBilling = "https://billing/"
	audReports = "https://reports/"
	audMgmt    = "https://acme.auth0.com/api/v2/"
)

func api(aud, name string, scopes ...string) API {
	a := API{Identifier: aud, Name: name, TokenLifetime: 86400}
	for _, s := range scopes {
		a.Scopes = append(a.Scopes, ScopeInfo{Value: s})
	}
	return a
}

func granted(aud, name string, scopes ...string) Grant {
	return Grant{Audience: aud, API: name, Scopes: NewScopes(scopes...)}
}

// withGrants is testClient holding the union of its grants' scopes, as a source reads it.
func withGrants(id string, grants ...Grant) Client {
	c := testClient(id)
	c.Grants = grants
	c.Scopes = ScopesOf(grants, nil)
	return c
}

// threeAPIs is a tenant where `read` is defined by three APIs, `export` by two, and the
// Management API defines `read:users`, which no other API's service ever sees.
func threeAPIs() *Inventory {
	allOrders := granted(audOrders, "Orders API", "read", "write")
	allOrders.AllowAll = true
	orgBound := granted(audOrders, "Orders API", "read")
	orgBound.OrgUsage = OrgRequire
	orgAllow := granted(audBilling, "Billing API", "invoice")
	orgAllow.OrgUsage = OrgAllow
	mgmt := granted(audMgmt, "Auth0 Management API", "read:users")
	mgmt.System = true
	return &Inventory{
		APIs: []API{
			api(audOrders, "Orders API", "read", "write"),
			api(audBilling, "Billing API", "read", "invoice", "export"),
			api(audReports, "Reports API", "read", "export"),
			{Identifier: audMgmt, Name: "Auth0 Management API", System: true, Scopes: []ScopeInfo{{Value: "read:users"}, {Value: "read"}}},
		},
		Clients: []Client{
			withGrants("orders-reader", granted(audOrders, "Orders API", "read")),
			withGrants("everywhere", granted(audOrders, "Orders API", "read"), granted(audBilling, "Billing API", "read"), granted(audReports, "Reports API", "read")),
			withGrants("fulfil", allOrders),
			withGrants("invoicer", orgAllow),
			withGrants("partner", orgBound),
			withGrants("admin", mgmt),
			withGrants("exporter", granted(audBilling, "Billing API", "export")),
		},
	}
}

func clientOf(inv *Inventory, id string) *Client {
	for i := range inv.Clients {
		if inv.Clients[i].ID == id {
			return &inv.Clients[i]
		}
	}
	panic(id)
}

func wideningLines(ws []Widening) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.String())
	}
	return strings.Join(out, "\n")
}

func TestGuardSharedNamesAcrossThreeAPIs(t *testing.T) {
	inv := threeAPIs()
	g := NewGuard(inv)
	for id, want := range map[string]string{
		"orders-reader": "widens access: `read` is also the Billing API's scope\n" +
			"widens access: `read` is also the Reports API's scope",
		"everywhere": "", // granted `read` on every API that defines it
		// allow_all_scopes on the Orders API: granted every scope it has, and `read` is
		// the Billing and Reports APIs' too.
		"fulfil": "widens access: `read` is also the Billing API's scope\n" +
			"widens access: `read` is also the Reports API's scope",
		"invoicer": "", // organization_usage allow: a notice, not a widening
		"partner": "widens access: the Orders API gives `read` only for an organization; Stytch's tokens carry none, so it would work without one\n" +
			"widens access: `read` is also the Billing API's scope\n" +
			"widens access: `read` is also the Reports API's scope",
		"admin":    "", // the Management API's services are Auth0's, never Stytch's
		"exporter": "widens access: `export` is also the Reports API's scope",
	} {
		if got := wideningLines(g.Widenings(clientOf(inv, id))); got != want {
			t.Errorf("%s:\n got %s\nwant %s", id, got, want)
		}
	}
	if n := g.Notices(clientOf(inv, "invoicer")); len(n) != 1 || !strings.Contains(n[0], "Billing API") || !strings.Contains(n[0], "org_id") {
		t.Errorf("organization_usage allow should say its tokens lose org_id: %q", n)
	}
	if g.Blind != "" {
		t.Errorf("blind with every API read: %s", g.Blind)
	}
	// A scope the operator adds is judged like a granted one.
	c := *clientOf(inv, "exporter")
	c.Scopes = c.Scopes.With("write")
	if got := wideningLines(g.Widenings(&c)); !strings.Contains(got, "`write` is the Orders API's scope, not granted to it there") {
		t.Errorf("an added scope another API defines: %s", got)
	}
}

func TestGuardSeesWhatGrantsShowWithoutResourceServers(t *testing.T) {
	inv := threeAPIs()
	inv.APIs, inv.APIsHidden = nil, true
	g := NewGuard(inv)
	if g.Blind == "" || !strings.Contains(g.Blind, "read:resource_servers") {
		t.Fatalf("blind should name the missing permission: %q", g.Blind)
	}
	// The grants still show `read` on three APIs; `export` only on Billing now (no grant
	// shows the Reports API defines it), so that one is missed: hence Blind.
	if got := wideningLines(g.Widenings(clientOf(inv, "orders-reader"))); !strings.Contains(got, "Billing API") || !strings.Contains(got, "Reports API") {
		t.Errorf("orders-reader: %s", got)
	}
	if got := g.Widenings(clientOf(inv, "exporter")); len(got) != 0 {
		t.Errorf("exporter: %v", got)
	}
}

func TestPlanBlocksWideningUntilResolved(t *testing.T) {
	ctx := context.Background()
	inv := threeAPIs()
	g := NewGuard(inv)
	ft := newFake("project-test-guard")
	ft.put(*clientOf(inv, "exporter"), "active") // already there, identical

	p, err := NewPlan(ctx, ft, "test", inv.Clients, ResolveSkip, WithGuard(g))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range p.Items {
		got[it.Client.ID] = string(it.Action)
		if it.Action == ActionBlocked {
			got[it.Client.ID] += " " + string(it.Blockers[0].Reason)
		}
	}
	want := map[string]string{"orders-reader": "blocked widens_access", "everywhere": "create", "fulfil": "blocked widens_access",
		"invoicer": "create", "partner": "blocked org_bound", "admin": "create", "exporter": "blocked widens_access"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("plan\n got %v\nwant %v", got, want)
	}
	if w := p.Items[3].Warnings; len(w) != 1 || !strings.Contains(w[0], "org_id") {
		t.Errorf("invoicer warnings %q", w)
	}
	if p.Items[0].Reason() != "widens access: `read` is also the Billing API's scope" {
		t.Errorf("reason %q", p.Items[0].Reason())
	}

	// Accepting: the client keeps its scopes, and the acceptance is on record.
	if err := p.AcceptWidenings(0); err != nil {
		t.Fatal(err)
	}
	if it := p.Items[0]; it.Action != ActionCreate || !it.Client.Scopes.Equal(NewScopes("read")) || len(it.Warnings) != 2 ||
		!strings.HasPrefix(it.Warnings[0], "accepted knowingly: widens access") {
		t.Errorf("accepted: %s %q %q", it.Action, it.Client.Scopes, it.Warnings)
	}
	// Dropping: the scopes go, the rest stays.
	if err := p.DropWidenings(4); err != nil {
		t.Fatal(err)
	}
	if it := p.Items[4]; it.Action != ActionCreate || len(it.Client.Scopes) != 0 || len(it.Warnings) == 0 ||
		!strings.HasPrefix(it.Warnings[0], "dropped read, which widened access: the Orders API gives `read` only for an organization") {
		t.Errorf("partner after drop: %s %q %v %q", it.Action, it.Client.Scopes, it.Blockers, it.Warnings)
	}
	// Looked up when planned: dropping its only extra scope makes it what the target holds.
	if err := p.DropWidenings(6); err != nil {
		t.Fatal(err)
	}
	if it := p.Items[6]; it.Action != ActionConflict || it.Stored == nil {
		t.Errorf("exporter after drop: %s (its export scope is gone, so it differs from Stytch's)", it.Action)
	}
	if err := p.AcceptWidenings(1); !errors.Is(err, ErrNothingToResolve) {
		t.Errorf("accepting what widens nothing: %v", err)
	}

	// The plan is planned again (the TUI after a change): acceptances hold, but only for
	// exactly what was accepted.
	again := []Client{p.Items[0].Client}
	again[0].Scopes = again[0].Scopes.With("export")
	p2, err := NewPlan(ctx, ft, "test", again, ResolveSkip, WithGuard(g))
	if err != nil {
		t.Fatal(err)
	}
	// (An acceptance names the scopes it was given: with `export` added, the Billing and
	// Reports APIs' widenings are new ones, asked about whole.)
	if it := p2.Items[0]; it.Action != ActionBlocked || len(it.Widenings) != 2 || it.Widenings[0].Scopes.String() != "export read" ||
		it.Widenings[1].Scopes.String() != "export read" {
		t.Errorf("a scope added after the acceptance must widen anew: %s %+v", it.Action, it.Widenings)
	}
	// Without the guard (clients from a file, undo), nothing is judged.
	p3, err := NewPlan(ctx, ft, "test", inv.Clients[:1], ResolveSkip)
	if err != nil || p3.Items[0].Action != ActionCreate {
		t.Errorf("no guard: %v %v", err, p3.Items[0].Action)
	}
}

func TestPlanGuardLeavesOtherBlockersFirst(t *testing.T) {
	inv := threeAPIs()
	c := clientOf(inv, "orders-reader")
	c.Secret = NewSecret("aaaa")
	p, err := NewPlan(context.Background(), newFake("project-test-x"), "test", []Client{*c}, ResolveSkip, WithGuard(NewGuard(inv)))
	if err != nil {
		t.Fatal(err)
	}
	it := p.Items[0]
	if it.Action != ActionBlocked || it.Blockers[0].Reason != BlockWeakSecret || it.Blockers[len(it.Blockers)-1].Reason != BlockWidens {
		t.Fatalf("%+v", it.Blockers)
	}
	// Resolving the widening cannot make it importable: the secret still blocks it.
	if err := p.AcceptWidenings(0); err != nil || p.Items[0].Action != ActionBlocked || len(p.Items[0].Blockers) != 1 {
		t.Fatalf("%v %s %+v", err, p.Items[0].Action, p.Items[0].Blockers)
	}
}
