package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

// testReportKey stands in for the report key the OS keyring keeps (keystore.ReportKey).
var testReportKey = []byte("cli-test-report-key-0123456789ab")

// A report written by hand — the right project, a client that was there before m2mport ran —
// can't be authenticated: undo refuses it and says how to override, and deletes nothing. An
// older report says it is one. Told to trust the hand-written one, undo still shows what
// the report says only as inert text.
func TestUndoRefusesReportsItCannotTrust(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	// Inventory Sync is in the demo project before any run.
	var id string
	for cid, c := range sandboxtest.Stored(t, sb) {
		if c.ClientName == "Inventory Sync" {
			id = cid
		}
	}
	tgt := sandboxTarget(t, sb)
	pre, err := tgt.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hand := filepath.Join(dir, "hand.ndjson")
	hostile := "\x1b]52;c;cm0gLXJmIC8=\x07\x1b[2J"
	header, _ := json.Marshal(map[string]any{"t": "header", "format": 2, "kind": "import", "project_id": env["STYTCH_PROJECT_ID"],
		"source": "evil" + hostile, "auth": "none"})
	line, _ := json.Marshal(map[string]any{"t": "client", "client_id": id, "name": "Inventory" + hostile, "scopes": pre.Scopes,
		"action": "create", "state": "imported", "created": "proven",
		"stored": map[string]any{"name": pre.Name, "description": pre.Description, "scopes": pre.Scopes, "secret_last_four": pre.SecretLast4}})
	writeFile(t, hand, fmt.Sprintf("%s\n%s\n", header, line))
	code, out, errOut := run2(t, env, "undo", "--yes", hand)
	if code != ExitUsage || !strings.Contains(errOut, "can't be authenticated") || !strings.Contains(errOut, "--unauthenticated") {
		t.Fatalf("undo of a hand-written report: exit %d\n%s\n%s", code, out, errOut)
	}
	old := filepath.Join(dir, "old.json")
	writeFile(t, old, "{\n  \"format\": 1,\n  \"kind\": \"import\",\n  \"clients\": []\n}\n")
	if code, _, errOut := run2(t, env, "undo", "--yes", old); code != ExitUsage || !strings.Contains(errOut, "format 1") {
		t.Fatalf("undo of a format 1 report: exit %d\n%s", code, errOut)
	}
	if _, ok := sandboxtest.Stored(t, sb)[id]; !ok {
		t.Fatal("a refused undo deleted the client")
	}
	// Trusted on the operator's word, it shows the report's strings inert (and the client,
	// identical, would go: that is what the flag is for). Without --yes on no terminal it
	// only prints the plan.
	_, out, errOut = run2(t, env, "undo", "--unauthenticated", hand)
	if strings.ContainsAny(out+errOut, "\x1b\x07") || !strings.Contains(out, "Inventory") || !strings.Contains(out, "evil") {
		t.Fatalf("undo printed a report's escapes, or not its plan:\n%q\n%q", out, errOut)
	}
}

// An undo run again names the undo that came first, from the import's report: that name is
// inert text whatever the report holds.
func TestUndoShowsUndoneByInert(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	dir := t.TempDir()
	report := filepath.Join(dir, "run.ndjson")
	if code, out, errOut := run2(t, env, "import", "--select", metricsForwarder, "--yes", "--no-verify", "--report", report); code != ExitOK {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	mark, _ := json.Marshal(map[string]any{"t": "undone", "client_id": metricsForwarder, "by": "\x1b]52;c;cm0gLXJmIC8=\x07\x1b[2Jan undo", "at": "2026-01-01T00:00:00Z"})
	f, err := os.OpenFile(report, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "%s\n", mark)
	f.Close()
	code, out, errOut := run2(t, env, "undo", "--yes", report)
	if code != ExitOK || !strings.Contains(out, "undone already, by an undo") || strings.ContainsAny(out+errOut, "\x1b\x07") {
		t.Fatalf("undo again: exit %d\n%q\n%q", code, out, errOut)
	}
}

// runs lists the runs folder newest first, with counts and the report's path; a report cut
// by a crash is listed as interrupted. undo --last takes the newest import.
func TestRunsAndUndoLast(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	for _, id := range []string{metricsForwarder, billingWorker} {
		if code, out, errOut := run2(t, env, "import", "--select", id, "--yes", "--no-verify"); code != ExitOK {
			t.Fatalf("import %s: exit %d\n%s\n%s", id, code, out, errOut)
		}
		time.Sleep(2 * time.Millisecond) // report names are by the millisecond
	}
	runs := reportsIn(t, env, 2)
	// A copy of the first, cut mid-line as a killed run leaves it, named as an older run.
	b, err := os.ReadFile(runs[0])
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(filepath.Dir(runs[0]), "20200101T000000.000Z-import-"+env["STYTCH_PROJECT_ID"]+".ndjson")
	ls := strings.SplitAfter(string(b), "\n")
	writeFile(t, cut, strings.Join(ls[:len(ls)-2], "")[:len(strings.Join(ls[:len(ls)-2], ""))-9])

	code, out, errOut := run2(t, env, "runs")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 4 || !strings.HasPrefix(lines[0], "WHEN") {
		t.Fatalf("runs: exit %d\n%s\n%s", code, out, errOut)
	}
	for i, want := range []string{runs[1], runs[0], cut} {
		if !strings.HasSuffix(lines[i+1], want) || !strings.Contains(lines[i+1], "import") || !strings.Contains(lines[i+1], env["STYTCH_PROJECT_ID"]) {
			t.Errorf("runs line %d: %q, want the report %s", i+1, lines[i+1], want)
		}
	}
	if !strings.Contains(lines[1], "finished") || !strings.Contains(lines[1], "1 imported") || !strings.Contains(lines[3], "interrupted, last line cut") {
		t.Errorf("runs:\n%s", out)
	}
	_, out, _ = run2(t, env, "runs", "--json")
	var first map[string]any
	if err := json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &first); err != nil || first["report"] != runs[1] || first["status"] != "finished" {
		t.Fatalf("runs --json: %v\n%s", err, out)
	}
	if _, out, _ := run2(t, env, "runs", "--stytch-project-id", "project-test-other"); !strings.Contains(out, "No run reports of project project-test-other") {
		t.Errorf("runs of another project: %q", out)
	}

	code, out, errOut = run2(t, env, "undo", "--last", "--yes")
	if code != ExitOK || !strings.Contains(errOut, "Undoing "+runs[1]) || !strings.Contains(out, "deleted   1") {
		t.Fatalf("undo --last: exit %d\n%s\n%s", code, out, errOut)
	}
	stored := sandboxtest.Stored(t, sb)
	if _, ok := stored[billingWorker]; ok {
		t.Error("undo --last left the newest import's client")
	}
	if _, ok := stored[metricsForwarder]; !ok {
		t.Error("undo --last deleted an older import's client")
	}
	if code, _, errOut := run2(t, env, "undo", "--last", runs[0]); code != ExitUsage || !strings.Contains(errOut, "not both") {
		t.Errorf("undo --last REPORT: exit %d %s", code, errOut)
	}
}
