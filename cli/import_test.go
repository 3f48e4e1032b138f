package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/sandbox"
	"github.com/m2mport/m2mport/client/sandboxtest"
	"github.com/m2mport/m2mport/client/stytch"
	"github.com/m2mport/m2mport/keystore"
)

// sandboxEnv starts the emulators and returns the environment a user would export for them,
// with state kept in a temporary folder.
func sandboxEnv(t *testing.T, opts sandbox.Options) (*sandbox.Sandbox, map[string]string) {
	t.Helper()
	sb := sandboxtest.Start(t, opts)
	home := t.TempDir()
	a, s := sb.Auth0(), sb.Stytch()
	return sb, map[string]string{
		"AUTH0_DOMAIN": a.Domain, "AUTH0_CLIENT_ID": a.ClientID, "AUTH0_CLIENT_SECRET": a.ClientSecret,
		"STYTCH_PROJECT_ID": s.ProjectID, "STYTCH_SECRET": s.Secret, "STYTCH_BASE_URL": s.URL,
		"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"),
	}
}

// The demo tenant's ids are the same in every run (see the README). Partner Webhooks and
// the settlement app are its two clients whose Stytch token would reach further than their
// Auth0 tokens: Partner Webhooks' Orders API grant requires an organization, and
// read:payments is also the Payouts API's scope.
const (
	billingWorker     = "nfXU6Xzb2mMNAbtgpTM8CAl4TFfrTXT2"
	metricsForwarder  = "AjTA2BMpJInl0AJe6ub4LHl323Aci68k"
	orderFulfillment  = "jc3KnTPUJg3STkHjXkbUhFC7IkkV47kL"
	partnerID         = "JrZaHGtguLmu76bV80zCtuEhoUcFAQBG"
	reportingExporter = "kZzKk4aRUtq8fV6C9ZEFXsMF5BgyR6eR"
	settlementID      = "jlOjTzyz7xtCJBaFGdlrZwcSx6Y9XT0q"
)

// sandboxTarget is the real Stytch client for the sandbox's project.
func sandboxTarget(t *testing.T, sb *sandbox.Sandbox) *stytch.Target {
	t.Helper()
	return sandboxtest.NewClient(t, stytch.New, stytch.Config{Credentials: sandboxtest.TargetCredentials(sb)}, nil)
}

// ndjson parses NDJSON output, failing on any line that is not a JSON object.
func ndjson(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not NDJSON: %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	return lines
}

// reportsIn returns the reports in env's runs folder, failing t unless there are n.
func reportsIn(t *testing.T, env map[string]string, n int) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(env["XDG_STATE_HOME"], "m2mport", "runs", "*"+reportExt))
	if len(files) != n {
		t.Fatalf("reports %v, want %d", files, n)
	}
	return files
}

func TestImportDemoFlow(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	before := len(sandboxtest.Stored(t, sb))

	// The plan: every case of the demo tenant, nothing written.
	code, out, errOut := run2(t, env, "import", "--all", "--dry-run")
	if code != ExitOK {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"create", "skip", "conflict → skip", "blocked", "Billing Worker", "Inventory Sync",
		"Reporting Exporter", "Legacy Batch Importer", "distinct characters", "Warehouse Gateway",
		"→ enable it in Auth0"} { // a blocked client says what to do about it
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not show %q:\n%s", want, out)
		}
	}
	// m2mport's own Auth0 app is not migrated by --all, and the operator is told so.
	if strings.Contains(out, sb.Auth0().ClientID) || !strings.Contains(errOut, "left out: m2mport Migrator") {
		t.Errorf("--all should leave out the app m2mport reads with:\n%s\n%s", out, errOut)
	}
	// Without --yes and without a terminal: the plan, the command that applies it, exit 2.
	code, out, errOut = run2(t, env, "import", "--all", "--on-conflict=update")
	if code != ExitUsage || !strings.Contains(errOut, "m2mport import --all --on-conflict=update --yes") {
		t.Fatalf("unconfirmed: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := len(sandboxtest.Stored(t, sb)); n != before {
		t.Fatalf("an unconfirmed import wrote %d clients", n-before)
	}

	// Applied, with NDJSON.
	code, out, errOut = run2(t, env, "import", "--all", "--on-conflict=update", "--yes", "--json")
	if code != ExitOK {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	lines := ndjson(t, out)
	sum := lines[len(lines)-1]
	if sum["event"] != "summary" || sum["ok"] != true {
		t.Fatalf("last line %v", sum)
	}
	finals := map[string]string{}
	for _, l := range lines[:len(lines)-1] {
		if st, ok := l["state"].(string); ok {
			finals[l["name"].(string)] = st
		}
		if l["event"] == "verified" && l["check"].(map[string]any)["checks"] == nil {
			t.Errorf("a verified event without its checklist: %v", l)
		}
	}
	for name, want := range map[string]string{"Billing Worker": "imported", "Inventory Sync": "skipped", "Reporting Exporter": "updated",
		"Legacy Batch Importer": "blocked", "Warehouse Gateway": "blocked"} {
		if finals[name] != want {
			t.Errorf("%s ended %q, want %s", name, finals[name], want)
		}
	}
	if strings.Contains(out, "passpasspass") || strings.Contains(out, env["STYTCH_SECRET"]) {
		t.Fatal("the output shows a secret")
	}
	reports := reportsIn(t, env, 1)
	if b, _ := os.ReadFile(reports[0]); strings.Contains(string(b), "passpasspass") {
		t.Fatal("the report holds a secret")
	}
	if fi, err := os.Stat(reports[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("report mode %v %v", fi.Mode(), err)
	}

	// A second run writes nothing; human output ends with the summary and the report path.
	code, out, errOut = run2(t, env, "import", "--all")
	if code != ExitOK || !strings.Contains(out, "skipped") || !strings.Contains(out, "Report: ") || strings.Contains(out, "imported") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}

	// Undo deletes exactly what the first run created.
	stored := sandboxtest.Stored(t, sb)
	code, out, errOut = run2(t, env, "undo", reports[0])
	if code != ExitUsage || !strings.Contains(errOut, "m2mport undo --yes "+reports[0]+"\n") {
		t.Fatalf("unconfirmed undo does not print the command that applies it: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run2(t, env, "undo", "--yes", reports[0])
	if code != ExitOK {
		t.Fatalf("undo: exit %d\n%s\n%s", code, out, errOut)
	}
	after := sandboxtest.Stored(t, sb)
	if len(after) != before {
		t.Fatalf("after undo the project holds %d clients, before the import %d", len(after), before)
	}
	for id, c := range stored {
		_, kept := after[id]
		if wasThere := c.ClientName == "Inventory Sync" || c.ClientName == "Reporting Exporter"; wasThere != kept {
			t.Errorf("%s (%s): kept %v", id, c.ClientName, kept)
		}
	}
	// Undoing again deletes nothing and says the run was undone already, naming the undo.
	code, out, errOut = run2(t, env, "undo", "--yes", reports[0])
	if code != ExitOK || !strings.Contains(out, "Nothing to undo") || !strings.Contains(out, "undone already, by ") {
		t.Fatalf("second undo: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestImportRefusesWhatItShouldNot(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo", StytchProjectID: "project-live-11111111-2222-3333-4444-555555555555"})
	cases := []struct {
		args []string
		env  map[string]string
		code int
		says string
	}{
		{[]string{"import", "--all", "--yes"}, env, ExitUsage, "live project"},
		{[]string{"import", "--yes", "--live"}, env, ExitUsage, "--all, or --select"},
		{[]string{"import", "--all", "--select", "x"}, env, ExitUsage, "not both"},
		{[]string{"import", "--select", "nope", "--dry-run"}, env, ExitUsage, `"nope" is not in`},
		{[]string{"import", "--all", "--dry-run", "--audience", "https://nope.example"}, env, ExitUsage, "no client"},
		{[]string{"import", "--all", "--on-conflict", "merge"}, env, ExitUsage, "skip or update"},
		{[]string{"import", "--all", "--rate", "0"}, env, ExitUsage, "--rate"},
		{[]string{"import", "--all"}, map[string]string{}, ExitUsage, "STYTCH_PROJECT_ID"},
		{[]string{"import", "--all", "--from-file", "/nonexistent.csv", "--dry-run"}, env, ExitFailed, "no such file"},
	}
	for _, tc := range cases {
		code, out, errOut := run2(t, tc.env, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.says) {
			t.Errorf("%v: exit %d, stderr %q, want exit %d saying %q (stdout %q)", tc.args, code, errOut, tc.code, tc.says, out)
		}
	}
	// A wrong project secret is said before the tenant is read, with what to do.
	wrong := maps.Clone(env)
	wrong["STYTCH_SECRET"] = "secret-test-wrong-wrong-wrong-wrong"
	before := sandboxtest.Stats(t, sb.Auth0().URL).Total
	code, _, errOut := run2(t, wrong, "import", "--all", "--dry-run")
	if code != ExitFailed || !strings.Contains(errOut, "unauthorized_credentials") || strings.Contains(errOut, "wrong-wrong-wrong") {
		t.Errorf("wrong project secret: exit %d, stderr %q", code, errOut)
	}
	if n := sandboxtest.Stats(t, sb.Auth0().URL).Total - before; n != 0 {
		t.Errorf("the tenant was read (%d requests) although the project's credentials are wrong", n)
	}
	// A dry run against a live project writes nothing and needs no --live.
	if code, out, errOut := run2(t, env, "import", "--all", "--dry-run"); code != ExitOK || !strings.Contains(out, "(LIVE)") {
		t.Errorf("live dry run: exit %d\n%s\n%s", code, out, errOut)
	}
}

// A clients file that can't be read is one sentence naming it once, not a chain of Go errors.
func TestImportFromABadFileSaysWhyOnce(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	dir := t.TempDir()
	obj := filepath.Join(dir, "obj.json")
	writeFile(t, obj, `{"client_id":"x"}`)
	for _, tc := range []struct{ file, says string }{
		{filepath.Join(dir, "nonexistent.csv"), "m2mport import: read nonexistent.csv: no such file or directory"},
		{obj, "m2mport import: read obj.json: not a JSON array of clients"},
	} {
		code, _, errOut := run2(t, env, "import", "--from-file", tc.file, "--all", "--dry-run")
		name := filepath.Base(tc.file)
		if code != ExitFailed || !strings.Contains(errOut, tc.says) || strings.Count(errOut, name) != 1 || strings.Contains(errOut, dir) {
			t.Errorf("--from-file %s: exit %d, stderr %q, want exit %d saying %q, naming the file once", name, code, errOut, ExitFailed, tc.says)
		}
	}
}

func TestImportFromFileAndCheck(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "empty"})
	dir := t.TempDir()
	file := filepath.Join(dir, "clients.csv")
	csv := "client_id,client_secret,name,scopes,metadata\n" +
		"file-client-1,Zq8-secret-for-file-1,File One,read:a write:a,\"{\"\"team\"\":\"\"ops\"\"}\"\n" +
		"file-client-2,,No secret,read:a,\n" +
		"file-client-3,Zq8-secret-for-file-3,File Three,read:b,\n"
	writeFile(t, file, csv)
	if code, _, errOut := run2(t, env, "import", "--from-file", file, "--all", "--audience", "https://api.example/", "--dry-run"); code != ExitUsage || !strings.Contains(errOut, "edit their scopes in the file") {
		t.Errorf("--audience with a file: exit %d\n%s", code, errOut)
	}
	report := filepath.Join(dir, "report.json")
	code, out, errOut := run2(t, env, "import", "--from-file", file, "--all", "--yes", "--report", report)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "clients.csv line 3") {
		t.Errorf("the bad row is not reported with its line: %q", errOut)
	}
	stored := sandboxtest.Stored(t, sb)
	if len(stored) != 2 || strings.Join(stored["file-client-1"].Scopes, " ") != "read:a write:a" {
		t.Fatalf("stored %+v", stored)
	}
	if _, err := client.ReadReport(report, testReportKey); err != nil {
		t.Fatal(err)
	}

	// check: a real token from the sandbox, then the same with wrong expectations.
	tgt := sandboxTarget(t, sb)
	minted, err := tgt.Token(context.Background(), "file-client-1", client.NewSecret("Zq8-secret-for-file-1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := minted.Value
	code, out, errOut = run2(t, env, "check", "--client-id", "file-client-1", "--scopes", "write:a read:a", tok.Reveal())
	if code != ExitOK || !strings.Contains(out, "All checks passed.") || !strings.Contains(out, `"sub": "file-client-1"`) {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = run2(t, env, "check", "--client-id", "someone-else", "--scopes", "read:a", "--json", tok.Reveal())
	var res struct {
		Passed bool
		Checks []client.Check
	}
	if code != ExitFailed || json.Unmarshal([]byte(out), &res) != nil || res.Passed {
		t.Fatalf("wrong expectations: exit %d %s", code, out)
	}
	var failedNames []string
	for _, l := range res.Checks {
		if l.Status == client.CheckFail {
			failedNames = append(failedNames, l.Name)
		}
	}
	if strings.Join(failedNames, ",") != "sub,scope" {
		t.Errorf("failed lines %v, want sub and scope", failedNames)
	}
	// The key set is public: a project id is enough to verify the signature.
	code, out, _ = run2(t, map[string]string{"STYTCH_PROJECT_ID": env["STYTCH_PROJECT_ID"], "STYTCH_BASE_URL": env["STYTCH_BASE_URL"]}, "check", tok.Reveal())
	if code != ExitOK || !strings.Contains(out, "✓ signature") || !strings.Contains(out, "All checks passed.") {
		t.Errorf("check without the project secret: exit %d\n%s", code, out)
	}
	// Decode only: no project anywhere, so not verified (3).
	code, out, _ = run2(t, map[string]string{}, "check", tok.Reveal())
	if code != ExitUnverified || !strings.Contains(out, "Decoded only") {
		t.Errorf("decode only: exit %d\n%s", code, out)
	}
}

func TestCheckReadsStdinAndRefusesGarbage(t *testing.T) {
	code, out, errOut := runIn(t, nil, "Bearer not.a.jwt\n", "check")
	if code != ExitFailed || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not a JWT") {
		t.Fatalf("garbage: exit %d %q %q", code, out, errOut)
	}
	code, _, errOut = runIn(t, nil, "", "check", "-")
	if code != ExitUsage || !strings.Contains(errOut, "no token") {
		t.Fatalf("empty stdin: exit %d %q", code, errOut)
	}
	code, _, errOut = runIn(t, nil, "", "check", "a", "b")
	if code != ExitUsage {
		t.Fatalf("two tokens: exit %d %q", code, errOut)
	}
}

// run2 runs m2mport in-process like runCLI, with an empty in-memory keyring, so that these
// tests never read the machine's.
func run2(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runIn(t, env, "", args...)
}

// runIn is run2 with text on stdin.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runEnv(t, &Env{
		Getenv:   getenv(env),
		Keystore: keystore.NewMemory(),
		// A key of their own stands in for the OS keyring's report key.
		ReportKey: func(context.Context) ([]byte, error) { return testReportKey, nil },
	}, stdin, args...)
}
func TestImportSelectedBlockedClientFails(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	code, out, errOut := run2(t, env, "import", "--all", "--dry-run", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d %s", code, errOut)
	}
	ids := map[string]string{}
	lines := ndjson(t, out)
	for _, l := range lines[:len(lines)-1] {
		ids[l["name"].(string)] = l["client_id"].(string)
	}
	if last := lines[len(lines)-1]; last["event"] != "plan" {
		t.Fatalf("a dry run ends with the plan's counts: %v", last)
	}
	code, out, errOut = run2(t, env, "import", "--select", ids["Legacy Batch Importer"]+","+ids["Billing Worker"], "--yes")
	if code != ExitFailed || !strings.Contains(out, "imported  1") || !strings.Contains(out, "distinct characters") {
		t.Fatalf("a blocked client asked for by id: exit %d\n%s\n%s", code, out, errOut)
	}
	// Only the audiences asked for: of Billing Worker's three scopes, the Orders API's one.
	code, out, errOut = run2(t, env, "import", "--select", ids["Billing Worker"], "--audience", "https://api.acme.example/orders", "--dry-run")
	if code != ExitOK || !regexp.MustCompile(`Billing Worker +1 `).MatchString(out) {
		t.Fatalf("audience: exit %d\n%s\n%s", code, out, errOut)
	}
}

// An undo's progress line counts deletions, not imports.
func TestProgressLineSaysWhatTheRunWrites(t *testing.T) {
	ev := client.Event{Progress: client.Progress{Total: 4, Done: 3, Imported: 2, Deleted: 1, Skipped: 1}}
	if got := progressLine(ev, false); !strings.Contains(got, "2 imported") || strings.Contains(got, "deleted") {
		t.Errorf("import: %q", got)
	}
	if got := progressLine(ev, true); !strings.Contains(got, "1 deleted") || strings.Contains(got, "imported") {
		t.Errorf("undo: %q", got)
	}
}

// undo refuses what it should not do before it deletes anything: a live project without
// --live, another project than the run's, a file that is not a run report.
func TestUndoRefusesWhatItShouldNot(t *testing.T) {
	live := "project-live-11111111-2222-3333-4444-555555555555"
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo", StytchProjectID: live})
	report := filepath.Join(t.TempDir(), "run.json")
	if code, out, errOut := run2(t, env, "import", "--all", "--yes", "--live", "--no-verify", "--report", report); code != ExitOK {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	created := len(sandboxtest.Stored(t, sb))
	other := maps.Clone(env)
	other["STYTCH_PROJECT_ID"] = "project-test-someone-else"
	garbage := filepath.Join(t.TempDir(), "notes.json")
	writeFile(t, garbage, `{"hello":"world"}`)
	for _, tc := range []struct {
		args []string
		env  map[string]string
		code int
		says string
	}{
		{[]string{"undo", "--yes", report}, env, ExitUsage, "add --live"},
		{[]string{"undo", "--yes", "--live", report}, other, ExitFailed, "that run wrote to project " + live},
		{[]string{"undo", "--yes", garbage}, env, ExitUsage, "not a report m2mport wrote"},
		{[]string{"undo", "--yes"}, env, ExitUsage, "give the report"},
		{[]string{"undo", "--yes", "--live", "--report", report, report}, env, ExitUsage, "already exists, and may be the record an undo needs"},
	} {
		code, out, errOut := run2(t, tc.env, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.says) {
			t.Errorf("%v: exit %d, stderr %q, want exit %d saying %q (stdout %q)", tc.args, code, errOut, tc.code, tc.says, out)
		}
	}
	if n := len(sandboxtest.Stored(t, sb)); n != created {
		t.Fatalf("a refused undo deleted %d clients", created-n)
	}
}

// A run whose report cannot be written writes nothing: undo and reruns rely on the report.
func TestImportRefusesToRunWithoutAReport(t *testing.T) {
	sb, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	before := len(sandboxtest.Stored(t, sb))
	notADir := filepath.Join(t.TempDir(), "file")
	writeFile(t, notADir, "")
	code, out, errOut := run2(t, env, "import", "--all", "--yes", "--report", filepath.Join(notADir, "run.json"))
	if code != ExitFailed || !strings.Contains(out+errOut, "report cannot be written") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if after := len(sandboxtest.Stored(t, sb)); after != before {
		t.Fatalf("the project went from %d to %d clients without a report", before, after)
	}
}

// A flaky API is not minutes of silence: while import connects, reads and plans, each retry
// is a line on stderr that names the API and what went wrong, and stdout stays the plan.
func TestImportSaysWhyItIsWaiting(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo", RandomSeed: 1, Faults: "auth0:503=0.3;stytch:429=0.5"})
	code, out, errOut := run2(t, env, "import", "--all", "--dry-run", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"Auth0: server error (HTTP 503), retry 1 after ", "Stytch: rate limited (HTTP 429), retry 1 after "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	ndjson(t, out) // stdout is still nothing but the plan's JSON lines
}

// --report never writes over a file: a rerun with the same --report would replace the
// record of the run that created the clients with one of a run that skipped them, and undo
// would then have nothing to delete. NaN is not a rate.
func TestImportRefusesToOverwriteAReport(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	report := filepath.Join(t.TempDir(), "first-run.json")
	if code, _, errOut := run2(t, env, "import", "--all", "--yes", "--report", report); code != ExitOK {
		t.Fatalf("first run: exit %d\n%s", code, errOut)
	}
	before, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run2(t, env, "import", "--all", "--yes", "--report", report)
	if code != ExitUsage || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second run with the same --report: exit %d\n%s", code, errOut)
	}
	if after, _ := os.ReadFile(report); string(after) != string(before) {
		t.Fatal("the first run's report was changed")
	}
	if code, _, errOut := run2(t, env, "import", "--all", "--dry-run", "--rate", "NaN"); code != ExitUsage || !strings.Contains(errOut, "--rate") {
		t.Fatalf("--rate NaN: exit %d\n%s", code, errOut)
	}
}

// --audience narrows scopes to those APIs; a client granted none of them is left out, not
// created with no scopes or updated to none.
func TestAudienceLeavesOutClientsWithoutThoseAPIs(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	code, out, errOut := run2(t, env, "import", "--all", "--audience", "https://api.acme.example/billing", "--on-conflict", "update", "--dry-run", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "left out: Order Fulfillment") || !strings.Contains(errOut, "left out: Inventory Sync") {
		t.Errorf("clients without a Billing grant should be named as left out:\n%s", errOut)
	}
	lines := ndjson(t, out)
	for _, l := range lines[:len(lines)-1] {
		if scopes, _ := l["scopes"].([]any); len(scopes) == 0 && l["action"] != "blocked" {
			t.Errorf("%v would be written with no scopes: %v", l["name"], l)
		}
	}
}

// A client named with --select that ends as a conflict left as it is was not imported: exit
// 1, as for a blocked one. An id named twice is one client.
func TestSelectedConflictFailsAndIDsAreDeduplicated(t *testing.T) {
	_, env := sandboxEnv(t, sandbox.Options{Seed: "demo"})
	const conflict, ready = reportingExporter, metricsForwarder
	code, out, errOut := run2(t, env, "import", "--select", conflict, "--yes")
	if code != ExitFailed || !strings.Contains(out, "conflict") {
		t.Fatalf("a selected conflict left as it is: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = run2(t, env, "import", "--select", conflict, "--yes", "--json")
	if lines := ndjson(t, out); code != ExitFailed || lines[len(lines)-1]["ok"] != false {
		t.Fatalf("--json's summary must agree with the exit status: exit %d, %v", code, lines[len(lines)-1])
	}
	code, out, errOut = run2(t, env, "import", "--select", ready+","+ready, "--yes")
	if code != ExitOK || !strings.Contains(out, "imported  1") || strings.Contains(out, "blocked") {
		t.Fatalf("an id named twice: exit %d\n%s\n%s", code, out, errOut)
	}
}

// The command printed for a plan not confirmed runs as printed: an argument that looks like
// a flag comes after "--", as it had to be given.
func TestRerunCommandKeepsArgumentsArguments(t *testing.T) {
	fs := pflag.NewFlagSet("undo", pflag.ContinueOnError)
	fs.Bool("yes", false, "")
	fs.Bool("live", false, "")
	if err := fs.Parse([]string{"--live", "--", "-odd report.json"}); err != nil {
		t.Fatal(err)
	}
	if got, want := rerunCommand("undo", fs), "m2mport undo --live --yes -- '-odd report.json'"; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
