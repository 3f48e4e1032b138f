package tui

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/m2mport/m2mport/client"
)

// TestGolden draws every screen at 100×30 and 60×20 in the ASCII colour profile. Update
// with: go test ./tui -run TestGolden -update
func TestGolden(t *testing.T) {
	scenes := []struct {
		name  string
		setup func(src *fakeSource, tgt *fakeTarget)
		steps func(h *harness)
	}{
		{"connect", nil, func(h *harness) {}},
		{"connect_editing", nil, func(h *harness) { h.press("e") }},
		{"connect_verified", func(src *fakeSource, _ *fakeTarget) {
			src.info.Missing = []client.MissingPermission{{Scope: "read:client_keys", Consequence: "client secrets are hidden, so no client can be imported"}}
		}, func(h *harness) { h.press("enter") }},
		{"connect_error", func(_ *fakeSource, tgt *fakeTarget) {
			tgt.connectErr = &client.APIError{API: "stytch", Status: 401, Code: client.CodeUnauthorized, RequestID: "request-id-test-0001"}
		}, func(h *harness) { h.press("enter") }},
		{"connect_live", func(_ *fakeSource, tgt *fakeTarget) {
			tgt.projectID, tgt.live = "project-live-0000aaaa-1111-2222-3333-444455556666", true
		}, func(h *harness) { h.press("enter") }},
		{"pick", nil, func(h *harness) { h.press("enter", "enter", "space") }},
		{"pick_details", nil, func(h *harness) { h.press("enter", "enter", "tab") }},
		{"pick_filter", nil, func(h *harness) { h.press("enter", "enter", "o", "/"); h.typeText("or") }},
		{"scopes", nil, func(h *harness) { h.press("enter", "enter", "enter", "down", "space") }},
		{"scopes_text", nil, func(h *harness) { h.press("enter", "enter", "enter", "e", "space"); h.typeText(" x:é") }},
		{"scopes_add", nil, func(h *harness) { h.press("enter", "enter", "enter", "+"); h.typeText("reporting:exports:monthly:é") }},
		{"manual", nil, func(h *harness) { h.press("enter", "m"); h.typeText("svc-01"); h.press("tab"); h.typeText("short") }},
		{"help", nil, func(h *harness) { h.press("enter", "enter", "?") }},
		{"problem", func(src *fakeSource, _ *fakeTarget) {
			src.invErr = &client.APIError{API: "auth0", Status: 403, Code: "insufficient_scope", Message: "Insufficient scope, expected any of: read:clients", Hint: "add read:clients to the Management API grant of the app m2mport uses"}
		}, func(h *harness) { h.press("enter", "enter") }},
	}
	for _, sc := range scenes {
		for _, size := range [][2]int{{100, 30}, {60, 20}} {
			t.Run(sc.name+"/"+sizeName(size), func(t *testing.T) {
				src, tgt := fakes()
				if sc.setup != nil {
					sc.setup(src, tgt)
				}
				h := newHarness(t, testConfig(src, tgt), size[0], size[1])
				sc.steps(h)
				out := h.view()
				for _, secret := range []string{"mgmt-secret-value", "project-secret-value", "s3cr3t-"} {
					if strings.Contains(out, secret) {
						t.Fatalf("a secret reached the golden file: %s", secret)
					}
				}
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
	t.Run("too_small", func(t *testing.T) {
		src, tgt := fakes()
		h := newHarness(t, testConfig(src, tgt), 40, 12)
		golden.RequireEqual(t, []byte(h.view()))
	})
}

func sizeName(s [2]int) string { return strconv.Itoa(s[0]) + "x" + strconv.Itoa(s[1]) }

// atBothSizes runs test as a subtest at each size the goldens are drawn at, 100×30 and 60×20.
func atBothSizes(t *testing.T, test func(t *testing.T, w, h int)) {
	for _, size := range [][2]int{{100, 30}, {60, 20}} {
		t.Run(sizeName(size), func(t *testing.T) { test(t, size[0], size[1]) })
	}
}

// goldenToken is the synthetic tokens' compact form: the checklist keeps it for the copy key,
// and no frame may show it.
const goldenToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJnb2xkZW4ifQ.Z29sZGVuLXNpZ25hdHVyZS1uZXZlci1kcmF3bg"

// goldenNow is the clock of the synthetic tokens below.
var goldenNow = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// goldenCheck is a passing checklist as the engine makes it, for a token minted at goldenNow.
func goldenCheck(id, scopes string) *client.Checklist {
	const project = "project-test-6c1a2b3c-0000-4d5e-8f90-123456789abc"
	iat, exp := goldenNow.Unix(), goldenNow.Add(time.Hour).Unix()
	pass := func(name, actual, expected string) client.Check {
		return client.Check{Name: name, Status: client.CheckPass, Actual: actual, Expected: expected}
	}
	at := func(c client.Check, t time.Time) client.Check { c.At = t; return c }
	return &client.Checklist{
		Token: client.NewSecret(goldenToken),
		Checks: []client.Check{
			pass("signature", "alg RS256, kid jwk-test-0000", "RS256 by a key in the project's JWKS"),
			pass("typ", "JWT", "JWT"),
			pass("iss", "stytch.com/"+project, "stytch.com/"+project),
			pass("aud", `["`+project+`"]`, "contains "+project),
			pass("sub", id, id),
			pass("scope", scopes, scopes),
			at(pass("exp", "2026-11-02T10:30:00Z (in 60 min)", "in the future"), goldenNow.Add(time.Hour)),
			pass("lifetime", "60 min 0 s", "exp = iat + 60 min 0 s"),
			at(pass("nbf", "2026-11-02T09:30:00Z (now)", "not in the future"), goldenNow),
			at(pass("iat", "2026-11-02T09:30:00Z (now)", "not in the future"), goldenNow),
		},
		Header: []byte("{\n  \"alg\": \"RS256\",\n  \"kid\": \"jwk-test-0000\",\n  \"typ\": \"JWT\"\n}"),
		Payload: []byte(fmt.Sprintf("{\n  \"aud\": [\n    %q\n  ],\n  \"exp\": %d,\n  \"iat\": %d,\n  \"iss\": %q,\n  \"nbf\": %d,\n  \"scope\": %q,\n  \"sub\": %q\n}",
			project, exp, iat, "stytch.com/"+project, iat, scopes, id)),
	}
}

// runSynthetic plays a run of the engine into the import screen: events as Execute sends
// them, without a target behind them, each created client proved by goldenCheck.
func runSynthetic(s *importScreen, finish bool) {
	runSyntheticWith(s, finish, func(c *client.Client) *client.Checklist { return goldenCheck(c.ID, c.Scopes.String()) })
}

func runSyntheticWith(s *importScreen, finish bool, check func(*client.Client) *client.Checklist) {
	s.phase = impRunning
	s.scroll() // as start does
	s.started = goldenNow
	total := len(s.plan.Items)
	prog := client.Progress{Total: total}
	emit := func(ev client.Event) {
		ev.Progress = prog
		s.apply(ev)
	}
	for i := range s.plan.Items {
		it := &s.plan.Items[i]
		if !finish && i == len(s.plan.Items)-1 {
			break // still waiting to start
		}
		switch it.Action {
		case client.ActionCreate:
			emit(client.Event{Kind: client.EventStarted, Index: i})
			if !finish && i == 2 {
				emit(client.Event{Kind: client.EventWaiting, Index: i, Wait: &client.WaitInfo{Reason: client.WaitRateLimited, Status: 429, DelayMS: 1200}})
				continue
			}
			prog.Done++
			prog.Imported++
			prog.Verify++
			emit(client.Event{Kind: client.EventKind(client.StateImported), Index: i, State: client.StateImported})
			prog.Verified++
			emit(client.Event{Kind: client.EventVerified, Index: i, Check: check(&it.Client)})
		case client.ActionSkip:
			prog.Done++
			prog.Skipped++
			emit(client.Event{Kind: client.EventKind(client.StateSkipped), Index: i, State: client.StateSkipped})
		case client.ActionConflict:
			prog.Done++
			prog.Conflict++
			emit(client.Event{Kind: client.EventKind(client.StateConflict), Index: i, State: client.StateConflict})
		case client.ActionBlocked:
			prog.Done++
			prog.Blocked++
			emit(client.Event{Kind: client.EventKind(client.StateBlocked), Index: i, State: client.StateBlocked})
		}
	}
	s.followRun()
	if finish {
		emit(client.Event{Kind: client.EventFinished, Index: -1, Summary: &client.Summary{Progress: prog, Elapsed: 1500 * time.Millisecond,
			Requests: 14, RateLimited: 1, ReportPath: "/home/op/.local/state/m2mport/runs/20261102T093000.000Z-import-project-test.json"}})
	}
}

// TestGoldenLaterSteps draws Import, Validate and the token check from synthetic engine
// output, so the frames do not depend on timing, ports or generated keys.
func TestGoldenLaterSteps(t *testing.T) {
	scenes := []struct {
		name  string
		steps func(h *harness, tgt *fakeTarget)
	}{
		{"import_review", func(h *harness, _ *fakeTarget) { h.press("down", "down") }},
		{"import_confirm", func(h *harness, _ *fakeTarget) { h.press("enter") }},
		{"import_running", func(h *harness, _ *fakeTarget) { runSynthetic(h.top().(*importScreen), false) }},
		{"import_done", func(h *harness, _ *fakeTarget) { runSynthetic(h.top().(*importScreen), true) }},
		{"validate", func(h *harness, _ *fakeTarget) {
			runSynthetic(h.top().(*importScreen), true)
			h.press("enter")
		}},
		{"validate_checks", func(h *harness, _ *fakeTarget) {
			runSynthetic(h.top().(*importScreen), true)
			h.press("enter", "tab", "down", "down")
		}},
		{"validate_token", func(h *harness, _ *fakeTarget) {
			runSynthetic(h.top().(*importScreen), true)
			h.press("enter", "tab", "tab", "down", "down")
		}},
		{"spotcheck", func(h *harness, tgt *fakeTarget) {
			h.app.pop()
			h.run(h.app.push(newSpotCheck(h.app.sh, h.app.cfg, tgt)))
			h.paste("eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJlLWZha2UtMDAwMA")
		}},
		{"spotcheck_result", func(h *harness, tgt *fakeTarget) {
			h.app.pop()
			s := newSpotCheck(h.app.sh, h.app.cfg, tgt)
			h.run(h.app.push(s))
			result := goldenCheck("Bq4nR8sT2uV6wX0yZ3aB7cD1eF5gH9iJ", "read:invoices")
			result.Checks[4] = client.Check{Name: "sub", Status: client.CheckFail, Actual: "Bq4nR8sT2uV6wX0yZ3aB7cD1eF5gH9iJ", Expected: "someone-else", Note: `expected sub "someone-else"`}
			s.showResult(result)
		}},
	}
	for _, sc := range scenes {
		for _, size := range [][2]int{{100, 30}, {60, 20}} {
			t.Run(sc.name+"/"+sizeName(size), func(t *testing.T) {
				src, tgt := fakes()
				inv := demoInventory()
				// Orders sync is already in Stytch, Billing reconciler differs there.
				orders, billing := inv.Clients[0], inv.Clients[1]
				tgt.stored = map[string]client.Stored{
					orders.ID:  {ID: orders.ID, Name: orders.Name, Scopes: orders.Scopes, SecretLast4: orders.Secret.Last4(), Status: "active"},
					billing.ID: {ID: billing.ID, Name: "Billing (old)", Description: billing.Description, Metadata: billing.Metadata, Scopes: client.NewScopes("read:invoices"), SecretLast4: billing.Secret.Last4(), Status: "active"},
				}
				cfg := testConfig(src, tgt)
				cfg.Now = func() time.Time { return goldenNow }
				h := newHarness(t, cfg, size[0], size[1])
				clients := []client.Client{billing, orders, inv.Clients[3], inv.Clients[2],
					{ID: "svc-new-01", Secret: client.NewSecret("Zx8-kP2q-Lm4r-Vb7n"), Name: "New service", Scopes: client.NewScopes("read:orders")}}
				h.send(connectedMsg{source: src, target: tgt, next: toPick})
				h.send(scopesDoneMsg{clients: clients})
				sc.steps(h, tgt)
				out := h.view()
				if strings.Contains(out, "Zx8-kP2q") || strings.Contains(out, "s3cr3t-") || strings.Contains(out, goldenToken[40:]) {
					t.Fatal("a secret reached the golden file")
				}
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}
