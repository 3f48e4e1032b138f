package client_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

var claimsKey = []byte("claims-test-report-key-012345678")

// Two imports of one tenant into one project at once, from two machines (two state folders,
// so no lock keeps them apart), against a Stytch that answers 30% of requests with a 500:
// each run's 500'd creates of clients the other run stored are found identical afterwards.
// Neither run may claim a client the other created: no client is a proven creation in both
// reports, and an undo of one run leaves every client the other proved it created.
func TestConcurrentImportsNeverBothClaimAClient(t *testing.T) {
	w := startWorld(t, sandbox.Options{Seed: "generated:40", RandomSeed: 9, Faults: "stytch:500=0.3"})
	clients := w.importable(t)
	dir := t.TempDir()
	plans := make([]*client.Plan, 2)
	for i := range plans {
		p, err := client.NewPlan(context.Background(), w.target, w.source.Name(), clients, client.ResolveSkip)
		if err != nil {
			t.Fatal(err)
		}
		plans[i] = p // both plans see an empty project: every client is a create in both
	}
	reports := []string{filepath.Join(dir, "a.ndjson"), filepath.Join(dir, "b.ndjson")}
	var wg sync.WaitGroup
	for i, p := range plans {
		wg.Go(func() {
			opt := client.Options{Rate: 2000, Concurrency: 4, ReportPath: reports[i], ReportKey: claimsKey,
				StateDir: filepath.Join(dir, "machine", string(rune('a'+i)))}
			for range client.Execute(context.Background(), w.target, p, opt) {
			}
		})
	}
	wg.Wait()

	proven := make([]map[string]bool, 2)
	unconfirmed := 0
	for i, path := range reports {
		r, err := client.ReadReport(path, claimsKey)
		if err != nil || !r.Authenticated() {
			t.Fatalf("report %s: %v", path, err)
		}
		proven[i] = map[string]bool{}
		for _, c := range r.Clients {
			switch c.Created {
			case client.CreatedProven:
				proven[i][c.ID] = true
			case client.CreatedUnconfirmed:
				unconfirmed++
			}
		}
	}
	for id := range proven[0] {
		if proven[1][id] {
			t.Errorf("both runs claim they created %s", id)
		}
	}
	stored := sandboxtest.Stored(t, w.sb)
	if len(stored) != len(clients) || len(proven[0])+len(proven[1]) > len(clients) {
		t.Fatalf("%d stored of %d; proven %d + %d", len(stored), len(clients), len(proven[0]), len(proven[1]))
	}
	if unconfirmed == 0 {
		t.Fatal("no create was settled as unconfirmed: the faults did not test what this test is about")
	}

	// Undo run B: every client run A proved it created is still there.
	r, err := client.ReadReport(reports[1], claimsKey)
	if err != nil {
		t.Fatal(err)
	}
	up, err := client.PlanUndo(context.Background(), w.target, r, reports[1], client.UndoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for ev := range client.Execute(context.Background(), w.target, up, client.Options{Rate: 2000, ReportPath: filepath.Join(dir, "undo-b.ndjson"), ReportKey: claimsKey}) {
		_ = ev
	}
	stored = sandboxtest.Stored(t, w.sb)
	for id := range proven[0] {
		if _, ok := stored[id]; !ok {
			t.Errorf("undo of run B deleted %s, which run A created", id)
		}
	}
	t.Logf("run A proved %d creations, run B %d; %d settled unconfirmed; %d left after undoing B",
		len(proven[0]), len(proven[1]), unconfirmed, len(stored))
}
