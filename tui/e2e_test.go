package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/auth0"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/client/stytch"
	"github.com/m2mport/m2mport/keystore"
)

// These tests drive the root model against the sandbox, through the real API packages, as
// `m2mport demo` wires them. (Only tests import the API packages; package tui never does.)

// sandboxConfig starts a sandbox with opts and returns the demo's configuration for it, with
// reports in a temporary folder.
func sandboxConfig(t *testing.T, opts sandbox.Options) Config {
	sb := sandboxtest.Start(t, opts)
	dir := t.TempDir()
	return Config{
		NewSource: func(c client.SourceCredentials) (client.Source, error) {
			return auth0.New(auth0.Config{Credentials: c, HTTPConfig: client.HTTPConfig{UserAgent: "m2mport/test"}, IncludeNonM2M: true})
		},
		NewTarget: func(c client.TargetCredentials) (client.Target, error) {
			return stytch.New(stytch.Config{Credentials: c, HTTPConfig: client.HTTPConfig{UserAgent: "m2mport/test"}})
		},
		Source:   sandboxtest.SourceCredentials(sb),
		Target:   sandboxtest.TargetCredentials(sb),
		Demo:     true,
		Keystore: keystore.NewMemory(),
		ReportPath: func(projectID string) (string, error) {
			return filepath.Join(dir, projectID+".json"), nil
		},
	}
}

// TestDemoWithTheDefaultsEndsWithEveryCheckPassing is the demo's promise: pressing enter
// through the four steps imports the ready clients and proves every one.
func TestDemoWithTheDefaultsEndsWithEveryCheckPassing(t *testing.T) {
	h := newHarness(t, sandboxConfig(t, sandbox.Options{Seed: "demo"}), 100, 30)
	h.mustSee("DEMO — local sandbox")

	h.press("enter") // connect
	h.mustSee("✓ acme · 13 M2M clients")
	h.press("enter") // pick
	p, ok := h.top().(*pickScreen)
	if !ok {
		t.Fatalf("got %T", h.top())
	}
	h.mustSee("= already in Stytch", "≠ conflict", "✗ weak secret", "! no grants", "! left out")
	if p.nSelected == 0 {
		t.Fatal("the ready clients start chosen")
	}
	h.press("enter") // scopes
	if _, ok := h.top().(*scopesScreen); !ok {
		t.Fatalf("got %T", h.top())
	}
	h.press("enter") // the plan
	imp, ok := h.top().(*importScreen)
	if !ok || imp.phase != impReview {
		t.Fatalf("got %T", h.top())
	}
	if n := imp.plan.Counts(); n.Create != p.nSelected {
		t.Fatalf("plan %+v for %d chosen", n, p.nSelected)
	}
	h.press("enter") // confirm
	h.mustSee("This will create")
	h.press("y") // run, to the end
	if imp.phase != impDone || !imp.summary.OK() {
		t.Fatalf("phase %v summary %+v", imp.phase, imp.summary)
	}
	h.mustSee("Import finished", "✓ Done", "minted a token that passes every check", "Report")
	if _, err := os.Stat(imp.summary.ReportPath); err != nil {
		t.Fatalf("report: %v", err)
	}
	h.press("enter") // validate
	v, ok := h.top().(*validateScreen)
	if !ok {
		t.Fatalf("got %T", h.top())
	}
	if len(v.proofs) != p.nSelected {
		t.Fatalf("%d clients validated, %d imported", len(v.proofs), p.nSelected)
	}
	for _, pr := range v.proofs {
		if !pr.check.Passed() {
			t.Fatalf("%s: %+v", pr.item.Client.Name, pr.check.Failed())
		}
		for _, name := range []string{"signature", "iss", "aud", "sub", "scope", "exp", "nbf", "iat"} {
			if l, ok := pr.check.Line(name); !ok || l.Status != client.CheckPass {
				t.Fatalf("%s: %s is %+v", pr.item.Client.Name, name, l)
			}
		}
	}
	h.mustSee("✓ all 10 checks pass", "Payload", `"aud"`, fmt.Sprintf("%d of %d pass every check", p.nSelected, p.nSelected))
	h.mustNotSee("✗")
	h.press("tab", "tab") // the checks, then the token
	h.mustSee(`"sub"`, `"scope"`)
}

// TestImportShowsConflictsAndUpdatesOnRequest resolves the demo's conflict by an update and
// checks it the same way.
func TestImportShowsConflictsAndUpdatesOnRequest(t *testing.T) {
	h := newHarness(t, sandboxConfig(t, sandbox.Options{Seed: "demo"}), 100, 30)
	h.press("enter", "enter", "n", "/")
	h.typeText("reporting")
	h.press("enter", "space", "enter", "enter")
	imp := h.top().(*importScreen)
	if n := imp.plan.Counts(); n.Conflict != 1 {
		t.Fatalf("plan %+v", n)
	}
	h.mustSee("≠ keep as is", "In Stytch, but different", "scopes", "space updates it to match")
	h.press("space")
	if imp.plan.Items[0].Resolution != client.ResolveUpdate {
		t.Fatal("space chooses an update")
	}
	h.mustSee("≠ update", "update Stytch's client to match")
	h.press("enter", "y")
	if p := imp.summary.Progress; p.Updated != 1 || p.CheckFailed != 0 || p.Verified != 1 {
		t.Fatalf("progress %+v", p)
	}
	h.mustSee("✓ updated", "✓ token checks pass")
}

// A regular web app that may use client_credentials is offered like an M2M app, and its row
// and details say what it is (issue 12 §3).
func TestPickShowsAnAppThatIsNotTypedM2M(t *testing.T) {
	h := newHarness(t, sandboxConfig(t, sandbox.Options{Seed: "demo"}), 100, 30)
	h.press("enter", "enter", "n", "/")
	h.typeText("storefront")
	h.mustSee("Storefront Backend · regular web app", "✓ ready", "A regular web app in Auth0 with")
}

func TestCancellingAnImportStopsNewWorkAndSaysHowToFinish(t *testing.T) {
	cfg := sandboxConfig(t, sandbox.Options{Seed: "demo", Faults: "stytch:slow:150ms=1"})
	cfg.Concurrency = 1
	h := newHarness(t, cfg, 100, 30)
	h.press("enter", "enter", "enter", "enter", "enter")
	imp := h.top().(*importScreen)

	// Start the run but hold its events, to act while it is under way.
	_, run := h.app.Update(keyPress("y"))
	if imp.phase != impRunning || imp.Busy() == "" {
		t.Fatalf("phase %v", imp.phase)
	}
	h.press("esc")
	h.mustSee("Cancel the import?", "Calls already sent finish")
	h.press("y")
	h.run(run)
	if imp.phase != impDone || !imp.summary.Canceled || imp.summary.Progress.Canceled == 0 {
		t.Fatalf("summary %+v", imp.summary)
	}
	h.mustSee("Import cancelled", "– Cancelled", "– cancelled", "Running the same import again finishes what is left")
}

func TestQuitDuringAnImportAsksThenWaitsForCallsInFlight(t *testing.T) {
	cfg := sandboxConfig(t, sandbox.Options{Seed: "demo", Faults: "stytch:slow:100ms=1"})
	cfg.Concurrency = 1
	h := newHarness(t, cfg, 100, 30)
	h.press("enter", "enter", "enter", "enter", "enter")
	_, run := h.app.Update(keyPress("y"))
	h.press("q")
	if h.quit {
		t.Fatal("q during an import asks first")
	}
	h.mustSee("Quit while importing?")
	h.press("n")
	h.mustNotSee("Quit while importing?")
	h.press("q", "y")
	h.mustSee("Stopping: waiting for the calls in flight")
	if h.quit {
		t.Fatal("quit waits for the run to stop")
	}
	h.run(run)
	if !h.quit {
		t.Fatal("the app quits once the run has stopped")
	}
	imp := h.app.stack[len(h.app.stack)-1].(*importScreen)
	if !imp.summary.Canceled {
		t.Fatal("quitting cancels the run")
	}
}

func TestValidateComparesWithAnAuth0Token(t *testing.T) {
	h := newHarness(t, sandboxConfig(t, sandbox.Options{Seed: "demo"}), 100, 30)
	h.press("enter", "enter", "enter", "enter", "enter", "y", "enter")
	v := h.top().(*validateScreen)
	h.press("a")
	cmp := v.compared[v.side.Cursor()]
	if cmp == nil || cmp.auth0 == nil || len(cmp.checks) == 0 {
		t.Fatalf("comparison %+v", cmp)
	}
	for _, c := range cmp.checks {
		if c.Status == client.CheckFail {
			t.Fatalf("the tokens disagree: %+v", c)
		}
	}
	h.mustSee("Compared with an Auth0 token for Billing API", "Stytch token", "Auth0 token", "@clients")
	before := v.pane.vp.YOffset()
	h.press("pgdown")
	if v.pane.vp.YOffset() == before {
		t.Fatal("pgdown scrolls the token")
	}
	h.press("down")
	if v.side.Cursor() != 1 {
		t.Fatal("down selects the next client")
	}
	h.mustNotSee("Compared with an Auth0 token")
}

func TestSpotCheckATokenFromTheProject(t *testing.T) {
	cfg := sandboxConfig(t, sandbox.Options{Seed: "demo"})
	h := newHarness(t, cfg, 100, 30)
	h.press("enter", "t")
	sc, ok := h.top().(*spotCheckScreen)
	if !ok {
		t.Fatalf("got %T", h.top())
	}

	// The demo project already holds Inventory Sync; mint a token with its credentials.
	tgt, _ := cfg.NewTarget(cfg.Target)
	src, _ := cfg.NewSource(cfg.Source)
	inv, err := src.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var sync client.Client
	for _, c := range inv.Clients {
		if c.Name == "Inventory Sync" {
			sync = c
		}
	}
	minted, err := tgt.Token(context.Background(), sync.ID, sync.Secret, nil)
	tok := minted.Value
	if err != nil {
		t.Fatal(err)
	}
	h.paste("Bearer " + tok.Reveal() + "\n") // as copied from an Authorization header
	h.mustNotSee(tok.Reveal()[:20])
	h.mustSee("••••" + tok.Last4()) // masked by the token's own last four, not the line's end
	h.press("tab")
	h.typeText(sync.ID)
	h.press("enter")
	if sc.state != spotResult || !sc.result.Passed() {
		t.Fatalf("state %v result %+v", sc.state, sc.result)
	}
	if l, _ := sc.result.Line("sub"); l.Status != client.CheckPass {
		t.Fatalf("sub with the client id given: %+v", l)
	}
	h.mustSee("✓ all", "✓ signature", "Payload")
	h.press("tab") // the token
	h.mustSee(`"sub"`)

	// A token for another client fails sub, and says what was expected.
	h.press("e")
	h.paste(tok.Reveal())
	h.press("tab", "ctrl+u")
	h.typeText("someone-else")
	h.press("enter")
	h.mustSee("✗ sub", "someone-else", "1 check failed")

	// Not a token at all.
	h.press("e")
	h.paste("hello")
	h.press("enter")
	h.mustSee("✗ Not a JWT: a JWT has three parts")
}

func TestTimesInTokensAreSpelledOut(t *testing.T) {
	st := defaultTheme().Styles(true)
	now := time.Unix(1_700_000_000, 0)
	cl := &client.Checklist{Header: []byte("{\n  \"alg\": \"RS256\"\n}"), Payload: []byte("{\n  \"exp\": 1700003600,\n  \"iat\": 1700000000\n}")}
	got := strings.Join(tokenJSON(&st, cl, now, 100), "\n")
	for _, want := range []string{"2023-11-14 23:13:20 UTC, in 1 h", "2023-11-14 22:13:20 UTC, now"} {
		if !strings.Contains(ansiStrip(got), want) {
			t.Fatalf("missing %q in\n%s", want, ansiStrip(got))
		}
	}
}

// TestSmallestTerminalShowsEveryStep walks the demo at 60×16, the smallest size the UI
// draws in: every frame fits, and each step still shows what matters.
func TestSmallestTerminalShowsEveryStep(t *testing.T) {
	h := newHarness(t, sandboxConfig(t, sandbox.Options{Seed: "demo"}), 60, 16)
	for _, st := range []struct {
		step string
		see  []string
		then []string // the keys that lead to the next step
	}{
		{"connect", []string{"Domain", "Project ID", "enter connect"}, []string{"enter"}},
		{"connected", []string{"✓ acme", "✓ project-test"}, []string{"enter"}},
		{"pick", []string{"✓ ready", "4 chosen"}, []string{"enter"}},
		{"scopes", []string{"Scopes  3 chosen", "[x] read:invoices"}, []string{"enter"}},
		{"plan", []string{"4 to create", "+ create"}, []string{"enter", "y"}},
		{"done", []string{"✓ Done", "4/4 verified"}, []string{"enter"}},
		{"validate", []string{"✓ all 10 checks pass", "✓ signature"}, nil},
	} {
		h.mustFit(st.step, 60, 16)
		h.mustSee(st.see...)
		h.press(st.then...)
	}
}
