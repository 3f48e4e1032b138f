package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

func TestImportAllLeavesWideningClientsOutUntilResolved(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	out := runOK(t, env, "import", "--all", "--yes")
	for _, want := range []string{
		partnerID + "  Partner Webhooks",
		"widens access: the Orders API gives `read:orders` only for an organization",
		"widens access: `read:payments` is also the Payouts API's scope",
		"→ drop read:payments with --drop-widening " + settlementID + ", or keep it knowingly with --accept-widening " + settlementID,
		"2 clients would widen access",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	stored := sandboxtest.Stored(t, sb)
	for _, id := range []string{partnerID, settlementID} {
		if _, ok := stored[id]; ok {
			t.Errorf("%s was created before its widening was resolved", id)
		}
	}
	if _, ok := stored[metricsForwarder]; !ok { // the rest went ahead
		t.Error("the clients that widen nothing were not imported")
	}

	// Named, a widening client fails the run: it was not imported.
	if code, out, _ := run2(t, env, "import", "--select", partnerID, "--yes"); code != ExitFailed || !strings.Contains(out, "blocked") {
		t.Errorf("a selected widening client: exit %d\n%s", code, out)
	}
}

func TestWideningResolvedHeadless(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})

	// Dropping: the organization-bound scope goes, and with it the client's only scope.
	out := runOK(t, env, "import", "--select", partnerID+","+settlementID, "--drop-widening", partnerID,
		"--accept-widening", settlementID, "--yes", "--json")
	stored := sandboxtest.Stored(t, sb)
	if c, ok := stored[partnerID]; !ok || len(c.Scopes) != 0 {
		t.Errorf("Partner Webhooks after --drop-widening: %+v (present %v)", c, ok)
	}
	// Accepting: the scopes stay, and the report keeps who said so.
	if c := stored[settlementID]; strings.Join(c.Scopes, " ") != "read:invoices read:payments" {
		t.Errorf("settlement after --accept-widening: %+v", c)
	}
	var planned map[string]any
	for _, l := range ndjson(t, out) {
		if l["event"] == "planned" && l["client_id"] == settlementID {
			planned = l
		}
	}
	if w, _ := planned["warnings"].([]any); len(w) != 1 || !strings.HasPrefix(w[0].(string), "accepted knowingly: widens access: `read:payments`") {
		t.Errorf("the planned event should carry the acceptance: %v", planned)
	}
	reports := reportsIn(t, env, 1)
	b, err := os.ReadFile(reports[0])
	if err != nil {
		t.Fatal(err)
	}
	recorded := false
	for _, line := range strings.Split(string(b), "\n") { // the report is a journal: a line per client
		var c client.ReportClient
		if json.Unmarshal([]byte(line), &c) == nil && c.ID == settlementID {
			recorded = recorded || (len(c.Warnings) == 1 && strings.Contains(c.Warnings[0], "accepted knowingly"))
		}
	}
	if !recorded {
		t.Errorf("the report does not record the acceptance:\n%s", b)
	}

	// --drop-widening all, on the plan only: nothing widens, so nothing is blocked for it.
	code, out, _ := run2(t, env, "import", "--all", "--drop-widening", "all", "--dry-run")
	if code != ExitOK || strings.Contains(out, "widens access") {
		t.Errorf("--drop-widening all: exit %d\n%s", code, out)
	}
}

func TestWideningFlagsRefuseWhatTheyShouldNot(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	wantUsageErrors(t, []usageCase{
		{[]string{"--accept-widening", "all"}, "one by one"},
		{[]string{"--accept-widening", partnerID, "--drop-widening", partnerID}, "both --accept-widening and --drop-widening"},
		{[]string{"--accept-widening", partnerID, "--drop-widening", "all"}, "both --accept-widening and --drop-widening"},
		{[]string{"--accept-widening", "nobody"}, "--accept-widening nobody: no such client in the plan"},
	}, func(args []string) (int, string, string) {
		return run2(t, env, append([]string{"import", "--all", "--dry-run"}, args...)...)
	})
	// A client whose access would not widen draws a note, not an error.
	code, _, errOut := run2(t, env, "import", "--all", "--dry-run", "--accept-widening", metricsForwarder)
	if code != ExitOK || !strings.Contains(errOut, "its access would not widen") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}
