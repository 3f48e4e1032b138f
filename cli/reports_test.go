package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/stytch"
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
	for cid, c := range storedClients(t, sb) {
		if c.ClientName == "Inventory Sync" {
			id = cid
		}
	}
	s := sb.Stytch()
	tgt, err := stytch.New(stytch.Config{Credentials: client.TargetCredentials{ProjectID: s.ProjectID, Secret: client.NewSecret(s.Secret), BaseURL: s.URL}})
	if err != nil {
		t.Fatal(err)
	}
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
	if err := os.WriteFile(hand, fmt.Appendf(nil, "%s\n%s\n", header, line), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run2(t, env, "undo", "--yes", hand)
	if code != ExitUsage || !strings.Contains(errOut, "can't be authenticated") || !strings.Contains(errOut, "--unauthenticated") {
		t.Fatalf("undo of a hand-written report: exit %d\n%s\n%s", code, out, errOut)
	}
	old := filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte("{\n  \"format\": 1,\n  \"kind\": \"import\",\n  \"clients\": []\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run2(t, env, "undo", "--yes", old); code != ExitUsage || !strings.Contains(errOut, "format 1") {
		t.Fatalf("undo of a format 1 report: exit %d\n%s", code, errOut)
	}
	if _, ok := storedClients(t, sb)[id]; !ok {
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
