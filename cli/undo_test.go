package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
)

// undo deletes only what a run created and is still as it left it: a client given a scope
// since is kept and the plan says the scope was added (not "remove"), and a client whose
// secret rotation was started since is kept too. The report may come before or after the
// flags.
func TestUndoKeepsClientsChangedOrRotatedSince(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	report := filepath.Join(t.TempDir(), "run.json")
	runOK(t, env, "import", "--select", billingWorker+","+metricsForwarder+","+orderFulfillment,
		"--yes", "--no-verify", "--report", report)

	tgt := sandboxTarget(t, sb)
	ctx := context.Background()
	billing, err := tgt.Get(ctx, billingWorker)
	if err != nil {
		t.Fatal(err)
	}
	more := billing.Scopes.With("read:extra")
	if _, err := tgt.Update(ctx, billingWorker, client.Update{Scopes: &more}); err != nil {
		t.Fatal(err)
	}
	if _, err := tgt.RotateStart(ctx, orderFulfillment); err != nil {
		t.Fatal(err)
	}

	// Flags after the report, as an operator types them.
	out := runOK(t, env, "undo", report, "--yes")
	for _, want := range []string{"scopes: read:extra added since", "secret rotation started since", "deleted   1", "conflict  2"} {
		if !strings.Contains(out, want) {
			t.Errorf("undo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "remove read:extra") {
		t.Errorf("undo reads its diff backwards:\n%s", out)
	}
	stored := sandboxtest.Stored(t, sb)
	if _, ok := stored[metricsForwarder]; ok {
		t.Error("the unchanged client was not deleted")
	}
	for _, id := range []string{billingWorker, orderFulfillment} {
		if _, ok := stored[id]; !ok {
			t.Errorf("client %s, changed since the run, was deleted", id)
		}
	}
}

// A file that is not a report, or no file at all, is one sentence and what to do next.
func TestUndoOfAFileThatIsNoReport(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "notes.txt")
	writeFile(t, garbage, "hello, this is not JSON")
	for _, tc := range []struct{ file, says string }{
		{garbage, "notes.txt is not a report m2mport wrote"},
		{filepath.Join(dir, "missing.json"), "no such file"},
	} {
		code, out, errOut := run2(t, nil, "undo", "--yes", tc.file)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != ExitUsage || out != "" || len(lines) != 2 || !strings.Contains(lines[0], tc.says) || !strings.Contains(lines[1], "Report:") {
			t.Errorf("undo %s: exit %d, stderr %q, want exit %d, one line saying %q and a hint", tc.file, code, errOut, ExitUsage, tc.says)
		}
		for _, goError := range []string{"invalid character", "open ", "read run report"} {
			if strings.Contains(errOut, goError) {
				t.Errorf("undo %s shows a Go error (%q): %q", tc.file, goError, errOut)
			}
		}
	}
}
