package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
)

// openPick connects with the fakes and opens Pick.
func openPick(t *testing.T, src *fakeSource, tgt *fakeTarget, w, h int) (*harness, *pickScreen) {
	t.Helper()
	hs := newHarness(t, testConfig(src, tgt), w, h)
	hs.press("enter", "enter")
	p, ok := hs.top().(*pickScreen)
	if !ok {
		t.Fatalf("got %T", hs.top())
	}
	return hs, p
}

func (p *pickScreen) visibleNames() []string {
	var out []string
	for _, i := range p.list.Shown() {
		out = append(out, p.rows[i].name)
	}
	return out
}

func TestPickListsM2MAppsFirstAndHidesOthers(t *testing.T) {
	src, tgt := fakes()
	h, p := openPick(t, src, tgt, 100, 30)
	if got := strings.Join(p.visibleNames(), ", "); got != "Billing reconciler, Key-based reporter, Lonely worker, Orders sync" {
		t.Fatalf("visible: %s", got)
	}
	h.mustSee("1 other app hidden", "✓ ready", "✗ no secret", "! no grants")
	h.mustNotSee("Storefront")
	h.press("o")
	if got := p.visibleNames(); len(got) != 5 || got[4] != "Storefront" {
		t.Fatalf("o shows the other apps last: %v", got)
	}
	h.mustSee("Storefront", "– not M2M")
}

func TestPickFilterNarrowsAsYouType(t *testing.T) {
	src, tgt := fakes()
	h, p := openPick(t, src, tgt, 100, 30)
	h.press("/")
	if !p.Capturing() {
		t.Fatal("/ focuses the filter")
	}
	h.typeText("ORD")
	if got := strings.Join(p.visibleNames(), ", "); got != "Billing reconciler, Key-based reporter, Orders sync" {
		t.Fatalf("filter by API name, case-insensitive: %s", got)
	}
	h.typeText("ers s")
	if got := strings.Join(p.visibleNames(), ", "); got != "Orders sync" {
		t.Fatalf("filter: %s", got)
	}
	h.mustSee("1 of 4")
	h.press("enter")
	if p.Capturing() || p.filter.Value() != "ORDers s" {
		t.Fatal("enter leaves the filter field and keeps the filter")
	}
	h.press("esc")
	if p.filter.Value() != "" || p.list.Len() != 4 {
		t.Fatal("esc clears the filter before it leaves the screen")
	}
	h.press("/")
	h.typeText("Xw7kQ2")
	if got := p.visibleNames(); len(got) != 1 || got[0] != "Orders sync" {
		t.Fatalf("filter by client id: %v", got)
	}
	h.press("esc")
	if p.Capturing() || p.filter.Value() != "" {
		t.Fatal("esc in the filter field clears it")
	}
}

func TestPickSelectsOnlyWhatCanBeImported(t *testing.T) {
	src, tgt := fakes()
	h, p := openPick(t, src, tgt, 100, 30)
	if p.nSelected != 2 || !p.selected[0] || !p.selected[3] {
		t.Fatalf("the ready clients start chosen: %d", p.nSelected)
	}
	h.press("n")
	if p.nSelected != 0 {
		t.Fatal("n clears the choice")
	}
	h.press("space") // Billing reconciler; the cursor moves on
	if p.nSelected != 1 || p.current().name != "Key-based reporter" {
		t.Fatalf("selected %d, cursor on %s", p.nSelected, p.current().name)
	}
	h.press("space")
	if p.nSelected != 1 {
		t.Fatal("a blocked client can't be chosen")
	}
	h.mustSee("Key-based reporter can't be imported: authenticates with private_key_jwt")

	h.press("n", "a")
	if p.nSelected != 2 {
		t.Fatalf("a chooses the ready ones (not the one without grants): %d", p.nSelected)
	}
	h.mustSee("Chose 2 ready clients.")
	h.press("a")
	if p.nSelected != 0 {
		t.Fatalf("a again clears them: %d", p.nSelected)
	}
}

func TestPickEnterTakesTheChosenClientsToScopes(t *testing.T) {
	src, tgt := fakes()
	h, _ := openPick(t, src, tgt, 100, 30)
	h.press("n", "G", "space", "g", "space", "enter")
	s, ok := h.top().(*scopesScreen)
	if !ok {
		t.Fatalf("got %T", h.top())
	}
	var names []string
	for _, d := range s.drafts {
		names = append(names, d.name)
	}
	if strings.Join(names, ", ") != "Billing reconciler, Orders sync" {
		t.Fatalf("drafts: %v", names)
	}
}

func TestPickEnterWithNothingChosenTakesTheHighlightedClient(t *testing.T) {
	src, tgt := fakes()
	h, _ := openPick(t, src, tgt, 100, 30)
	h.press("n", "down") // Key-based reporter: blocked
	h.press("enter")
	onTop[*pickScreen](h, "a blocked client does not go on")
	h.mustSee("can't be imported")
	h.press("down", "down", "enter")
	s, ok := h.top().(*scopesScreen)
	if !ok || len(s.drafts) != 1 || s.drafts[0].name != "Orders sync" {
		t.Fatalf("got %T", h.top())
	}
}

func TestPickInventoryFailureIsAFullScreenError(t *testing.T) {
	src, tgt := fakes()
	src.invErr = &client.APIError{API: "auth0", Status: 503, Message: "Service Unavailable"}
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.press("enter", "enter")
	h.mustSee("✗ Auth0 had a server error (HTTP 503).", "try again in a moment", "esc go back")
	h.press("esc")
	onTop[*connectScreen](h, "esc leaves the error and the screen that failed")
}

func TestPickScrollsWithTheCursor(t *testing.T) {
	src, tgt := fakes()
	src.inv = manyClients(500)
	h, p := openPick(t, src, tgt, 100, 30)
	h.press("pgdown", "pgdown", "down")
	want := p.listHeight()*2 + 1
	if p.list.Cursor() != want {
		t.Fatalf("cursor %d, want %d", p.list.Cursor(), want)
	}
	h.mustSee("› [x] " + p.current().name)
	h.press("G")
	h.mustSee("› [x] " + p.rows[p.list.Item(p.list.Len()-1)].name)
	h.press("g")
	if p.list.Cursor() != 0 || p.list.Offset() != 0 {
		t.Fatal("g goes to the top")
	}
}

// manyClients is a tenant of n ready M2M clients over five APIs.
func manyClients(n int) *client.Inventory {
	inv := &client.Inventory{Source: "load.auth0.com"}
	for a := range 5 {
		api := client.API{Identifier: fmt.Sprintf("https://api%d.load.test/", a), Name: fmt.Sprintf("Service %d API", a)}
		for s := range 6 {
			api.Scopes = append(api.Scopes, client.ScopeInfo{Value: fmt.Sprintf("act%d:res%d", s, a), Description: "Does a thing"})
		}
		inv.APIs = append(inv.APIs, api)
	}
	for i := range n {
		c := client.Client{
			ID:      fmt.Sprintf("gen%08dAbCdEfGhIjKlMnOpQrStUv", i),
			Secret:  client.NewSecret(fmt.Sprintf("secret-%08d-XyZ1", i)),
			Name:    fmt.Sprintf("Generated worker %05d", i),
			AppType: client.AppTypeM2M,
		}
		for g := range 1 + i%3 {
			api := inv.APIs[(i+g)%5]
			scopes := client.NewScopes(api.Scopes[0].Value, api.Scopes[1+i%5].Value)
			c.Grants = append(c.Grants, client.Grant{Audience: api.Identifier, API: api.Name, Scopes: scopes})
			c.Scopes = c.Scopes.Union(scopes)
		}
		inv.Clients = append(inv.Clients, c)
	}
	return inv
}

func TestPickShowsTheSourcesWarnings(t *testing.T) {
	src, tgt := fakes()
	src.inv.Warnings = []string{"secrets hidden: add read:client_keys to the Management API grant of m2mport Migrator", "second"}
	h, p := openPick(t, src, tgt, 100, 30)
	h.mustSee("! secrets hidden: add read:client_keys", "and 1 more")
	if lines := strings.Split(h.plain(), "\n"); len(lines) != 30 {
		t.Fatalf("%d lines", len(lines))
	}
	h.press("G")
	h.mustSee("› [x] " + p.current().name)
}

func TestPastingIntoPickFilters(t *testing.T) {
	src, tgt := fakes()
	h, p := openPick(t, src, tgt, 100, 30)
	h.paste("Xw7kQ2rL9mN4pB6vT1yH8cJ3dF5gK0aZ")
	if !p.filtering || p.list.Len() != 1 || p.current().name != "Orders sync" {
		t.Fatalf("filtering %v, visible %v", p.filtering, p.visibleNames())
	}
}

// A slow read says why it is slow, and going back stops it rather than leaving it running.
func TestPickReadSaysWhyItIsSlowAndStopsOnEsc(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	h.press("enter") // connected, Pick is next
	src.gate = make(chan struct{})
	src.waits = []client.Wait{{Reason: client.WaitServerError, Status: 503, Delay: 2 * time.Second, Attempt: 3}}
	_, cmd := h.app.Update(keyPress("enter"))
	_, cmd = h.app.Update(cmd()) // the connected message opens Pick, whose read is held
	run := runApart(cmd)
	p, ok := h.top().(*pickScreen)
	if !ok {
		t.Fatalf("got %T", h.top())
	}
	run.untilWait(t, h)
	if p.loadNote == "" {
		t.Fatal("the wait's note did not reach the screen")
	}
	h.mustSee("Reading clients", "Auth0: server error (HTTP 503), retry 2 after 2 s", "esc back")
	h.mustNotSee("space choose") // nothing to choose yet
	h.press("esc")
	if _, back := h.top().(*connectScreen); !back {
		t.Fatalf("esc during the read goes back; on %T", h.top())
	}
	for {
		select {
		case msg := <-run.msgs:
			if inv, ok := msg.(inventoryMsg); ok {
				if !errors.Is(inv.err, context.Canceled) {
					t.Fatalf("the read should end cancelled, got %v", inv.err)
				}
				return
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the read went on after esc")
		}
	}
}

// n clears the clients shown, as a chooses among them, and says what the filter keeps.
func TestPickNoneClearsOnlyTheShownClients(t *testing.T) {
	src, tgt := fakes()
	h, p := openPick(t, src, tgt, 100, 30)
	h.press("/")
	h.typeText("bill")
	h.press("enter", "n")
	if p.nSelected != 1 || !p.selected[3] {
		t.Fatalf("Orders sync, filtered out, stays chosen: %d chosen", p.nSelected)
	}
	h.mustSee("Cleared 1 client shown; 1 hidden by the filter is still chosen.")
	h.press("esc", "n")
	if p.nSelected != 0 {
		t.Fatalf("with no filter n clears all: %d", p.nSelected)
	}
	h.mustNotSee("hidden by the filter")
}

// A list longer than the window says how many rows are above and below it.
func TestPickSaysWhenTheListScrolls(t *testing.T) {
	src, tgt := fakes()
	src.inv = manyClients(20)
	h, p := openPick(t, src, tgt, 100, 30)
	hidden := 20 - p.listHeight()
	h.mustSee(fmt.Sprintf("↓ %d more · 20 of 20", hidden))
	h.press("G")
	h.mustSee(fmt.Sprintf("↑ %d above · 20 of 20", hidden))
	h.press("up", "up", "pgup")
	h.mustSee("↑ ", "↓ ")
	h.press("g")
	h.mustNotSee("↑ ")
}

// A note longer than a line is wrapped, not cut.
func TestPickNotesWrapInsteadOfBeingCut(t *testing.T) {
	src, tgt := fakes()
	h, _ := openPick(t, src, tgt, 60, 20)
	h.press("down", "space") // Key-based reporter: blocked
	h.mustSee("Key-based reporter can't be imported: authenticates with", "there is no secret to carry over.")
}

// Every warning of the source can be read in full, however many there are.
func TestPickWarningsCanBeReadInFull(t *testing.T) {
	src, tgt := fakes()
	src.inv.Warnings = []string{
		"client grants hidden: add read:client_grants to the Management API grant of app m2mport Migrator; until then no client's scopes are known",
		"APIs hidden: add read:resource_servers to the Management API grant of app m2mport Migrator; API names, scope descriptions and allow-all grants are unknown",
	}
	h, _ := openPick(t, src, tgt, 100, 30)
	h.mustSee("and 1 more · w reads all")
	h.mustNotSee("allow-all grants are unknown")
	h.press("w")
	h.mustSee("no client's scopes are known.", "allow-all grants are unknown.", "esc close")
	h.press("esc")
	h.mustSee("Orders sync", "and 1 more")
}

// The details pane wraps what doesn't fit rather than cutting it, and gives the client's
// own text the width the grants leave.
func TestPickDetailsWrapRatherThanCut(t *testing.T) {
	src, tgt := fakes()
	src.inv.Clients[0].Grants[0].AllowAll = true
	h, _ := openPick(t, src, tgt, 100, 30)
	h.press("G") // Orders sync
	h.mustSee("Orders API · all scopes", "https://orders.acme.test/")
	h.press("g", "down") // Key-based reporter: its blocker, wider than half the pane
	h.mustSee("✗ Authenticates with private_key_jwt: there is no secret to")
}

// A grant to Auth0's own API is listed, and the details say why the Scopes column does
// not count its scopes.
func TestPickExplainsScopesLeftOutOfTheCount(t *testing.T) {
	src, tgt := fakes()
	lonely := &src.inv.Clients[3]
	lonely.Grants = []client.Grant{{Audience: "https://acme.us.auth0.com/api/v2/", API: "Auth0 Management API", System: true, Scopes: client.NewScopes("read:clients", "read:client_grants")}}
	h, p := openPick(t, src, tgt, 100, 30)
	h.press("down", "down") // Lonely worker
	if r := p.current(); r.name != "Lonely worker" || r.scopes != "0" {
		t.Fatalf("on %s with %s scopes", r.name, r.scopes)
	}
	h.mustSee("read:client_grants", "Auth0's own API: these scopes are not imported", "unless you tick them in Scopes.")
}

// Coming back to Pick after an import compares with Stytch again: the clients just created
// and the conflict just updated are no longer "ready" or "conflict".
func TestPickComparesAgainAfterAnImport(t *testing.T) {
	h := newHarness(t, sandboxConfig(t, sandbox.Options{Seed: "demo"}), 100, 30)
	h.press("enter", "enter")
	p, ok := h.top().(*pickScreen)
	if !ok {
		t.Fatalf("got %T", h.top())
	}
	h.mustSee("✓ ready", "≠ conflict")
	conflict := slices.IndexFunc(p.list.Shown(), func(i int) bool { return p.rows[i].badge == badgeConflict })
	h.press("g")
	for range conflict {
		h.press("down")
	}
	h.press("space", "enter", "enter")
	imp, ok := h.top().(*importScreen)
	if !ok {
		t.Fatalf("got %T", h.top())
	}
	for imp.plan.Items[imp.list.Cursor()].Action != client.ActionConflict {
		h.press("down")
	}
	h.press("space", "enter", "y")
	if n := imp.plan.Counts(); imp.phase != impDone || n.Update != 1 || n.Create == 0 {
		t.Fatalf("phase %v, plan %+v", imp.phase, n)
	}
	h.press("esc", "esc")
	if h.top() != p {
		t.Fatalf("got %T", h.top())
	}
	h.mustNotSee("✓ ready", "≠ conflict")
	h.mustSee("= already in Stytch", "Compared with Stytch again")
}
