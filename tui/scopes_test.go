package tui

import (
	"strings"
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
	h.typeText("read:orders  write:ordérs")
	h.mustSee("✗ column 23: 'é' is not allowed in a scope")
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

// Edits survive going back to Pick and on again, for the clients still chosen; dropping a
// client from the choice drops its edits.
func TestScopesEditsSurviveGoingBackToPick(t *testing.T) {
	h, s := openScopes(t, 100, 30)
	h.press("down", "space", "n", "ctrl+u") // Billing reconciler: untick read:invoices, rename
	h.typeText("Billing (Stytch)")
	h.press("enter", "esc")
	if _, ok := h.top().(*pickScreen); !ok {
		t.Fatalf("got %T", h.top())
	}
	h.press("enter")
	again := h.top().(*scopesScreen)
	if again == s {
		t.Fatal("enter opens the step again")
	}
	h.mustSee("Billing (Stytch)", "Billing API  1/2", "[ ] read:invoices")
	if d := again.draft(); d.c.Name != "Billing (Stytch)" || d.c.Scopes.String() != "read:orders write:invoices" {
		t.Fatalf("draft %q: %s", d.c.Name, d.c.Scopes)
	}

	h.press("esc", "space", "up", "space", "enter") // Pick: drop Billing reconciler, choose it again
	h.mustSee("Billing reconciler", "Billing API  2/2")
	h.mustNotSee("Billing (Stytch)")
}

// The choice made for a conflict on the Import plan survives going back to Scopes and on.
func TestImportConflictChoiceSurvivesGoingBack(t *testing.T) {
	src, tgt := fakes()
	orders := src.inv.Clients[0]
	tgt.stored = map[string]client.Stored{orders.ID: {ID: orders.ID, Name: orders.Name, Scopes: client.NewScopes("read:orders"), SecretLast4: orders.Secret.Last4(), Status: "active"}}
	h, _ := openPick(t, src, tgt, 100, 30)
	h.mustSee("≠ conflict")
	h.press("n", "G", "space", "enter", "enter") // Orders sync alone
	imp := h.top().(*importScreen)
	h.press("space")
	h.mustSee("≠ update")
	h.press("esc", "enter")
	again := h.top().(*importScreen)
	if again == imp || again.plan.Items[0].Resolution != client.ResolveUpdate {
		t.Fatalf("resolution %q", again.plan.Items[0].Resolution)
	}
	h.mustSee("≠ update")
	h.press("esc", "esc", "enter", "enter") // through Pick too
	h.mustSee("≠ update")

	// Edited to match Stytch, it is identical for a while; edited back, the choice is there.
	scopes := orders.Scopes.String()
	h.press("esc", "e", "ctrl+u")
	h.typeText("read:orders")
	h.press("enter", "enter")
	h.mustSee("= identical")
	h.press("esc", "e", "ctrl+u")
	h.typeText(scopes)
	h.press("enter", "enter")
	h.mustSee("≠ update")
}

// Stytch takes a client without a name: the lists show its id rather than a blank.
func TestScopesEmptyNameShowsTheID(t *testing.T) {
	h, s := openScopes(t, 100, 30)
	h.press("n", "ctrl+u", "enter")
	if d := s.draft(); d.c.Name != "" || d.name != d.c.ID {
		t.Fatalf("name %q, listed as %q", d.c.Name, d.name)
	}
	h.mustSee("› Bq4nR8sT2uV6wX0yZ3aB7", "no name: Stytch will list it by its id")
}

// "same APIs for all" marks as edited only the clients it changed, as its note counts them.
func TestScopesApplyAllMarksOnlyWhatChanged(t *testing.T) {
	h, _ := openScopes(t, 100, 30)
	h.press("A") // Billing reconciler has both APIs on; Orders sync already has its one
	h.mustSee("0 other clients changed")
	h.mustNotSee("• Orders sync")
}

// Descriptions line up after the longest scope of the client.
func TestScopesDescriptionsLineUp(t *testing.T) {
	src, tgt := fakes()
	long := client.ScopeInfo{Value: "read:orders_and_their_history", Description: "Read orders and history"}
	src.inv.APIs[0].Scopes = append(src.inv.APIs[0].Scopes, long)
	orders := &src.inv.Clients[0]
	orders.Grants[0].Scopes = orders.Grants[0].Scopes.With(long.Value)
	orders.Scopes = orders.Scopes.With(long.Value)
	h, _ := openPick(t, src, tgt, 100, 30)
	h.press("n", "G", "space", "enter")
	h.mustSee("Read orders and history")
	col := map[string]int{}
	for _, line := range strings.Split(h.plain(), "\n") {
		for _, d := range []string{"Read orders and history", "Read orders", "Create and change orders"} {
			if i := strings.Index(line, d); i >= 0 && col[d] == 0 {
				col[d] = i
			}
		}
	}
	if col["Read orders"] != col["Read orders and history"] || col["Read orders"] != col["Create and change orders"] {
		t.Fatalf("descriptions at columns %v", col)
	}
}

// A client with no grants and no scopes has no rows: the arrows and space do nothing there
// (down once put the cursor at -1, and space then read the row before the first).
func TestScopesWithNoRows(t *testing.T) {
	src, tgt := fakes()
	h := newHarness(t, testConfig(src, tgt), 100, 30)
	bare := client.Client{ID: "svc-bare", Secret: client.NewSecret("Zx8-kP2q-Lm4r-Vb7n"), Name: "Bare"}
	h.send(connectedMsg{source: src, target: tgt, next: toPick})
	h.send(pickedMsg{clients: []client.Client{bare}})
	s, ok := h.top().(*scopesScreen)
	if !ok {
		t.Fatalf("got %T", h.top())
	}
	h.press("down", "space", "up", "space", "down")
	if len(s.draft().c.Scopes) != 0 || s.list.Len() != 0 {
		t.Fatalf("scopes %v, %d rows", s.draft().c.Scopes, s.list.Len())
	}
	h.mustSee("No grants: press + to add a scope")
	// One scope typed by hand makes a row; unticking it takes the row away again.
	h.press("e")
	h.typeText("read:x")
	h.press("enter", "down", "space")
	if s.list.Len() != 0 || s.list.Cursor() != 0 {
		t.Fatalf("after unticking the only scope: %d rows, cursor %d", s.list.Len(), s.list.Cursor())
	}
}

// A client's scopes typed with double spaces, or pasted with tabs and new lines, are what a
// CSV source's scopes column would give: the editor takes them as a file does.
func TestScopesTextTakesAnyWhitespaceAsAFileDoes(t *testing.T) {
	h, s := openScopes(t, 100, 30)
	d := s.draft()
	h.press("e", "ctrl+u")
	h.typeText("read:orders  custom:thing ")
	h.mustNotSee("✗")
	h.press("enter")
	if s.mode != modeBrowse || d.c.Scopes.String() != "custom:thing read:orders" {
		t.Fatalf("double spaces: saved %q (mode %v, error %q)", d.c.Scopes, s.mode, s.inErr)
	}
	h.press("e", "ctrl+u")
	h.paste(" read:invoices\tread:orders\n")
	h.press("enter")
	if s.mode != modeBrowse || d.c.Scopes.String() != "read:invoices read:orders" {
		t.Fatalf("a pasted list: saved %q (mode %v, error %q)", d.c.Scopes, s.mode, s.inErr)
	}
}

// The + editor's error quotes the scope and says what is wrong with it: at 60 or 100 columns
// that takes more than one line, and it wraps instead of being cut.
func TestScopesAddErrorWraps(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {60, 20}} {
		h, s := openScopes(t, size[0], size[1])
		h.press("+")
		h.typeText("reporting:exports:monthly:é")
		if s.inErr == "" {
			t.Fatal("an invalid scope is flagged as it is typed")
		}
		// Every word of the error is on the screen, whatever the width.
		screen := strings.Join(strings.Fields(h.view()), " ")
		for _, word := range strings.Fields(s.inErr) {
			if !strings.Contains(screen, word) {
				t.Errorf("%dx%d: %q of the error %q is not shown:\n%s", size[0], size[1], word, s.inErr, h.view())
			}
		}
		h.mustSee("Add a scope")
	}
}
