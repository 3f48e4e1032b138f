package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/m2mport/m2mport/client"
	"github.com/m2mport/m2mport/client/leaktest"
)

// The fault mix at the Stytch emulator: rate limits, server errors, connections
// dropped before the create is stored, and creates stored whose answer is lost.
const (
	chaosFaults  = "stytch:429=0.05,500=0.03,drop=0.01,commitdrop=0.02"
	chaosClients = 2000
	// chaosStopAfter is how many imports the first run reports before it is stopped.
	chaosStopAfter = 500
)

// TestCrashAndRerun imports 2,000 clients under faults with the real binary, stops the run
// part way — killed outright, or interrupted like an operator's Ctrl-C — and runs it again.
// The second run must finish the job: every source client stored exactly once with its scopes
// and its own secret, nothing else stored, and a report that accounts for all of them.
func TestCrashAndRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: imports 2,000 clients through the real binary, twice per case")
	}
	bin := buildBinary(t)
	t.Run("SIGKILL", func(t *testing.T) { crashAndRerun(t, bin, syscall.SIGKILL) })
	t.Run("SIGINT", func(t *testing.T) { crashAndRerun(t, bin, syscall.SIGINT) })
}

func crashAndRerun(t *testing.T, bin string, stop syscall.Signal) {
	h := newHome(t)
	sb := startSandbox(t, bin, h, "--seed", fmt.Sprintf("generated:%d", chaosClients), "--faults", chaosFaults, "--random-seed", "7")
	mgmtID, source := sb.source(t)
	if len(source) != chaosClients {
		t.Fatalf("the source holds %d clients besides the management app, want %d", len(source), chaosClients)
	}
	importCmd := func(report string) []string {
		return []string{"import", "--all", "--yes", "--json", "--rate", "1000", "--concurrency", "16", "--report", report}
	}

	// Run 1, stopped after chaosStopAfter imports.
	report1 := filepath.Join(h.root, "run1.json")
	first := start(t, h.command(bin, sb.vars, importCmd(report1)...))
	imported1 := map[string]bool{}
	for len(imported1) < chaosStopAfter {
		line, ok := first.next(t, 2*time.Minute)
		if !ok {
			t.Fatalf("run 1 ended after %d imports; stderr:\n%s", len(imported1), first.stderr.String())
		}
		if ev := parseEvent(t, line); ev.Event == string(client.StateImported) {
			imported1[ev.ClientID] = true
		}
	}
	if err := first.cmd.Process.Signal(stop); err != nil {
		t.Fatal(err)
	}
	code1, signal1 := first.wait(t, 2*time.Minute)
	rep1, err := client.ReadReport(report1, nil)
	if err != nil {
		t.Fatalf("run 1's report is not whole after %v: %v", stop, err)
	}
	if stop == syscall.SIGKILL {
		if signal1 != syscall.SIGKILL {
			t.Fatalf("run 1 ended with exit %d, not killed", code1)
		}
	} else {
		assertInterruptedCleanly(t, first, code1, signal1, rep1, sb)
		for _, c := range rep1.Clients {
			if c.State == client.StateImported {
				imported1[c.ID] = true
			}
		}
	}
	storedAfter1 := len(sb.stored(t))

	// Run 2, to the end.
	report2 := filepath.Join(h.root, "run2.json")
	second := start(t, h.command(bin, sb.vars, importCmd(report2)...))
	code2, _ := second.wait(t, 5*time.Minute)
	if code2 != 0 {
		t.Fatalf("run 2: exit %d\n%s\nlast line: %s", code2, second.stderr.String(), lastLine(second))
	}
	if !strings.Contains(second.stderr.String(), "left out: m2mport Migrator ("+mgmtID+")") {
		t.Errorf("run 2 does not say it leaves out the management app:\n%s", second.stderr.String())
	}
	finals := map[string]string{}
	var sum event
	for _, line := range second.lines {
		ev := parseEvent(t, line)
		switch {
		case ev.State != "":
			if _, twice := finals[ev.ClientID]; twice {
				t.Errorf("run 2 reports %s twice", ev.ClientID)
			}
			finals[ev.ClientID] = ev.State
		case ev.Event == "summary":
			sum = ev
		}
	}
	p := sum.Progress
	if sum.OK == nil || !*sum.OK || p.Total != chaosClients || p.Imported+p.Skipped != chaosClients || p.Verified != chaosClients || p.CheckFailed != 0 {
		t.Errorf("run 2's summary: %s", lastLine(second))
	}
	for id, w := range source {
		switch st := finals[id]; {
		case st == "":
			t.Errorf("run 2 does not account for %s (%s)", id, w.name)
		case imported1[id] && st != string(client.StateSkipped):
			t.Errorf("%s was imported by run 1 but ended %s in run 2", id, st)
		case st != string(client.StateImported) && st != string(client.StateSkipped):
			t.Errorf("%s ended %s", id, st)
		}
	}
	if _, ok := finals[mgmtID]; ok {
		t.Errorf("run 2 imported the management app %s", mgmtID)
	}
	assertReportAccountsForAll(t, report2, source)
	assertStoredExactly(t, sb.stored(t), source)

	// Faults make errors, and errors quote what the API said: every output, report and file
	// of both runs is searched for every credential, in every encoding.
	var secrets leaktest.Finder
	secrets.Add("the Auth0 Management API app's secret", sb.vars["AUTH0_CLIENT_SECRET"])
	secrets.Add("the Stytch project secret", sb.vars["STYTCH_SECRET"])
	for id, w := range source {
		secrets.Add("the secret of "+id, w.secret)
	}
	texts := append(homeFiles(t, h.root),
		seenText{"run 1 (stdout)", strings.Join(first.lines, "\n")}, seenText{"run 1 (stderr)", first.stderr.String()},
		seenText{"run 2 (stdout)", strings.Join(second.lines, "\n")}, seenText{"run 2 (stderr)", second.stderr.String()})
	assertNoSecretIn(t, &secrets, texts)

	stats := sb.stats(t)
	retried, waits := 0, 0
	for _, line := range append(slices.Clone(first.lines), second.lines...) {
		switch parseEvent(t, line).Event {
		case "retried":
			retried++
		case "waiting":
			waits++
		}
	}
	ended := fmt.Sprintf("exit %d", code1)
	if signal1 != 0 {
		ended = "killed by " + signal1.String()
	}
	t.Logf("%v after %d imports: run 1 %s, %d stored; run 2 exit 0: imported %d, skipped %d, verified %d, %d requests (%d rate limited). "+
		"Both runs: %d Stytch requests %v, faults injected %v, %d create retries, %d waits reported; creates answered %v "+
		"(each 400 a duplicate_m2m_client_id after an ambiguous attempt, settled by a read). Stored %d, each once.",
		stop, chaosStopAfter, ended, storedAfter1, p.Imported, p.Skipped, p.Verified, sum.Requests, sum.Limited,
		stats.Total, stats.Statuses, stats.Faults, retried, waits, stats.Routes["POST /v1/m2m/clients"], len(source))
}

// assertInterruptedCleanly checks an interrupted run: it exited 1 on its own, said why on
// stderr without a Go dump, ended its NDJSON with a cancelled summary, and left a report
// that says which clients are done — exactly the ones the target now holds.
func assertInterruptedCleanly(t *testing.T, r *run, code int, signal syscall.Signal, rep *client.Report, sb *sandboxProc) {
	t.Helper()
	if signal != 0 || code != 1 {
		t.Fatalf("interrupted run: exit %d, signal %v; want exit 1\n%s", code, signal, r.stderr.String())
	}
	stderr := r.stderr.String()
	if !strings.Contains(stderr, "m2mport: stopping") || strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
		t.Errorf("interrupted run's stderr:\n%s", stderr)
	}
	sum := parseEvent(t, lastLine(r))
	if sum.Event != "summary" || !sum.Canceled || sum.OK == nil || *sum.OK || sum.Progress.Canceled == 0 {
		t.Errorf("interrupted run's last line: %s", lastLine(r))
	}
	if rep.Status != "canceled" || rep.Finished == nil {
		t.Errorf("interrupted run's report: status %q, finished %v", rep.Status, rep.Finished)
	}
	stored := map[string]bool{}
	for _, c := range sb.stored(t) {
		stored[c.ID] = true
	}
	imported := 0
	for _, c := range rep.Clients {
		switch c.State {
		case client.StateImported:
			imported++
			if !stored[c.ID] || c.Created == "" {
				t.Errorf("the report says %s was imported, the target holds it: %v", c.ID, stored[c.ID])
			}
		case client.StateCanceled:
			if stored[c.ID] {
				t.Errorf("the report says %s was not started, the target holds it", c.ID)
			}
		default:
			t.Errorf("%s ended %q in an interrupted run (%s)", c.ID, c.State, c.Message)
		}
	}
	if imported != len(stored) || imported != sum.Progress.Imported {
		t.Errorf("the report says %d imported, the summary %d, the target holds %d", imported, sum.Progress.Imported, len(stored))
	}
}

// assertReportAccountsForAll checks a finished run's report: every source client, each
// imported or skipped with a passing checklist.
func assertReportAccountsForAll(t *testing.T, path string, source map[string]want) {
	t.Helper()
	rep, err := client.ReadReport(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != "finished" || len(rep.Clients) != len(source) {
		t.Fatalf("report: status %q, %d clients, want finished with %d", rep.Status, len(rep.Clients), len(source))
	}
	for _, c := range rep.Clients {
		w, ok := source[c.ID]
		switch {
		case !ok:
			t.Errorf("the report lists %s, which is not a source client", c.ID)
		case c.State != client.StateImported && c.State != client.StateSkipped:
			t.Errorf("report: %s ended %s", c.ID, c.State)
		case c.Check == nil || !c.Check.Passed():
			t.Errorf("report: %s has no passing checklist: %+v", c.ID, c.Check)
		case c.SecretLast4 != client.LastFour(w.secret) || strings.Join(c.Scopes, " ") != strings.Join(w.scopes, " "):
			t.Errorf("report: %s shows ••••%s %v, want ••••%s %v", c.ID, c.SecretLast4, c.Scopes, client.LastFour(w.secret), w.scopes)
		}
	}
}

// assertStoredExactly checks that the target holds each source client once, with its
// scopes and the hash of its own secret, and nothing else.
func assertStoredExactly(t *testing.T, stored []storedClient, source map[string]want) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range stored {
		w, ok := source[s.ID]
		switch {
		case seen[s.ID]:
			t.Errorf("%s is stored twice", s.ID)
		case !ok:
			t.Errorf("%s is stored but is not a source client", s.ID)
		case !slices.Equal(slices.Sorted(slices.Values(s.Scopes)), w.scopes):
			t.Errorf("%s holds scopes %v, want %v", s.ID, s.Scopes, w.scopes)
		case s.SecretSHA256 != w.secretSHA256:
			t.Errorf("%s holds another secret than the source's", s.ID)
		}
		seen[s.ID] = true
	}
	if len(seen) != len(source) {
		t.Errorf("the target holds %d of the %d source clients", len(seen), len(source))
	}
}

func lastLine(r *run) string {
	if len(r.lines) == 0 {
		return ""
	}
	return r.lines[len(r.lines)-1]
}

// TestSecondInterruptQuitsAtOnce: the first Ctrl-C lets the calls in flight finish; an
// operator who cannot wait for them presses it again, and the process ends there and then.
func TestSecondInterruptQuitsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	h := newHome(t)
	// Every Stytch answer takes 5 s: the first interrupt leaves the creates in flight waiting
	// for theirs.
	sb := startSandbox(t, bin, h, "--seed", "generated:40", "--faults", "stytch:slow:5s=1", "--random-seed", "7")
	r := start(t, h.command(bin, sb.vars, "import", "--all", "--yes", "--json", "--concurrency", "8"))
	for {
		line, ok := r.next(t, time.Minute)
		if !ok {
			t.Fatalf("the import ended before starting a create:\n%s", r.stderr.String())
		}
		if parseEvent(t, line).Event == "started" {
			break
		}
	}
	if err := r.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(r.stderr.String(), "m2mport: stopping") {
		select {
		case <-r.done:
			t.Fatalf("the first interrupt ended the run at once:\n%s", r.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := r.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// A swallowed second interrupt shows as a run that ends by itself (exit 1) once the
	// creates in flight are answered.
	code, signal := r.wait(t, time.Minute)
	if signal != syscall.SIGINT {
		t.Fatalf("after a second interrupt: exit %d, signal %v; want killed by SIGINT", code, signal)
	}
}
