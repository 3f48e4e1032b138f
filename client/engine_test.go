package client

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fastOptions keeps retries quick and the rate out of the way.
func fastOptions() Options {
	return Options{Rate: 100000, Verify: true, retryBase: time.Millisecond, ReportKey: testReportKey}
}

// testReportKey stands in for the machine's report key (kept in the OS keyring).
var testReportKey = []byte("0123456789abcdef0123456789abcdef")

// finals returns each client's final state, failing the test when a client has none or two.
func finals(t *testing.T, p *Plan, evs []Event) map[string]Event {
	t.Helper()
	out := map[string]Event{}
	for _, ev := range evs {
		if !ev.Final() {
			continue
		}
		if prev, dup := out[ev.ClientID]; dup {
			t.Fatalf("client %s ended twice: %s then %s", ev.ClientID, prev.State, ev.State)
		}
		out[ev.ClientID] = ev
	}
	for _, it := range p.Items {
		if _, ok := out[it.Client.ID]; !ok {
			t.Fatalf("client %s has no final state", it.Client.ID)
		}
	}
	return out
}

func verdicts(evs []Event) map[string]*Checklist {
	out := map[string]*Checklist{}
	for _, ev := range evs {
		if ev.Kind == EventVerified {
			out[ev.ClientID] = ev.Check
		}
	}
	return out
}

func summaryOf(t *testing.T, evs []Event) *Summary {
	t.Helper()
	last := evs[len(evs)-1]
	if last.Kind != EventFinished || last.Summary == nil {
		t.Fatalf("last event is %s, want finished", last.Kind)
	}
	return last.Summary
}

func TestEngineImportsSkipsUpdatesAndVerifies(t *testing.T) {
	ctx := context.Background()
	ft := newFake("project-test-1")
	same := testClient("same", "read:a")
	ft.put(same, "active")
	diff := testClient("diff", "read:a", "write:a")
	old := diff
	old.Scopes, old.Name = NewScopes("read:a"), "Old name"
	old.Metadata = map[string]any{"team": "core", "stale": true}
	ft.put(old, "active")
	weak := testClient("weak", "read:a")
	weak.Secret = NewSecret("abcabcabcabc")

	clients := []Client{testClient("new1", "read:a"), testClient("new2"), same, diff, weak}
	p, err := NewPlan(ctx, ft, "test", clients, ResolveUpdate)
	if err != nil {
		t.Fatal(err)
	}
	if ft.searches != 1 || ft.gets != 0 {
		t.Fatalf("planning made %d searches and %d gets, want 1 search", ft.searches, ft.gets)
	}
	report := filepath.Join(t.TempDir(), "runs", "r.json")
	opt := fastOptions()
	opt.ReportPath = report
	evs := collect(t, ctx, ft, p, opt)
	got := finals(t, p, evs)
	want := map[string]State{"new1": StateImported, "new2": StateImported, "same": StateSkipped, "diff": StateUpdated, "weak": StateBlocked}
	for id, s := range want {
		if got[id].State != s {
			t.Errorf("%s ended %s (%s), want %s", id, got[id].State, got[id].Message, s)
		}
	}
	checks := verdicts(evs)
	for _, id := range []string{"new1", "new2", "same", "diff"} {
		if !checks[id].Passed() {
			t.Errorf("%s: checklist failed: %+v", id, checks[id].Failed())
		}
	}
	if _, ok := checks["weak"]; ok {
		t.Error("a blocked client was verified")
	}
	s := summaryOf(t, evs)
	if !s.OK() || s.Progress.Imported != 2 || s.Progress.Verified != 4 || s.Progress.Done != 5 {
		t.Fatalf("summary %+v", s.Progress)
	}
	if st := ft.clients["diff"]; !st.Scopes.Equal(diff.Scopes) || st.Name != diff.Name || st.Metadata["stale"] != nil {
		t.Fatalf("update did not make the client identical: %+v", st.Stored)
	}
	if ft.keyLookups == 0 {
		t.Fatal("signatures were not checked against the target's keys")
	}

	r := readReport(t, report)
	if r.Status != "finished" || len(r.Clients) != 5 || r.Progress.Imported != 2 || !r.Authenticated() || r.Cut != "" {
		t.Fatalf("report: status %s, %d clients, %+v", r.Status, len(r.Clients), r.Progress)
	}
	for _, c := range r.Clients {
		created := c.ID == "new1" || c.ID == "new2"
		if (c.Created == CreatedProven) != created || (created && c.Stored == nil) {
			t.Errorf("report: %s created=%v stored=%v", c.ID, c.Created, c.Stored)
		}
		if c.State == "" {
			t.Errorf("report: %s has no state", c.ID)
		}
	}
	assertNoSecrets(t, clients, evs, report)
}

// assertNoSecrets fails if any client secret shows up in the events' JSON or the report.
func assertNoSecrets(t *testing.T, clients []Client, evs []Event, files ...string) {
	t.Helper()
	var all strings.Builder
	for _, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		fmt.Fprintf(&all, "%v %+v", ev, ev)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for _, c := range clients {
		if s := c.Secret.Reveal(); len(s) > 4 {
			if i := strings.Index(all.String(), s[:len(s)-4]); i >= 0 {
				t.Fatalf("the secret of %s leaked into events or the report: …%s…", c.ID, all.String()[max(0, i-60):i+len(s)])
			}
		}
	}
}

func TestEngineResolvesAmbiguousCreates(t *testing.T) {
	ctx := context.Background()
	ft := newFake("project-test-1")
	// Someone else creates "raced" (differently) while our first attempt gets no answer.
	raced := testClient("raced", "read:a")
	ft.createFault = func(id string, attempt int) string {
		switch {
		case id == "commit" && attempt == 1:
			return "commitdrop" // stored, then no answer: the retry hears duplicate
		case id == "drop" && attempt <= 2:
			return "drop" // not stored: the retry creates it
		case id == "limited" && attempt <= 3:
			return "429"
		case id == "flaky" && attempt == 1:
			return "500"
		case id == "weak":
			return "400"
		case id == "raced" && attempt == 1:
			other := raced
			other.Secret = NewSecret("someone-elses-secret-ZZZZ")
			ft.clients["raced"] = &fakeClient{Stored: Stored{ID: "raced", Name: other.Name, Scopes: other.Scopes, SecretLast4: other.Secret.Last4(), Status: "active"}, secret: other.Secret.Reveal()}
			return "drop"
		case id == "hopeless":
			return "drop"
		}
		return ""
	}
	clients := []Client{testClient("commit", "a"), testClient("drop", "a"), testClient("limited", "a"),
		testClient("flaky", "a"), testClient("weak", "a"), raced, testClient("hopeless", "a")}
	p, err := NewPlan(ctx, ft, "test", clients, ResolveSkip)
	if err != nil {
		t.Fatal(err)
	}
	evs := collect(t, ctx, ft, p, fastOptions())
	got := finals(t, p, evs)
	want := map[string]State{"commit": StateImported, "drop": StateImported, "limited": StateImported, "flaky": StateImported,
		"weak": StateBlocked, "raced": StateConflict, "hopeless": StateFailed}
	for id, s := range want {
		if got[id].State != s {
			t.Errorf("%s ended %s (%s %+v), want %s", id, got[id].State, got[id].Message, got[id].Error, s)
		}
	}
	if e := got["weak"].Error; e == nil || e.Code != CodeInsecureSecret || e.RequestID == "" {
		t.Errorf("a refused create should carry the API's code and request id: %+v", e)
	}
	// The plan's secret rule is a guess; when Stytch refuses a secret it passed, the client is
	// blocked in Stytch's words, as the plan would have blocked it.
	if m := got["weak"].Message; !strings.Contains(m, "Stytch refused the secret") || !strings.Contains(m, CodeInsecureSecret) {
		t.Errorf("weak: %q, want Stytch's reason", m)
	}
	if ft.creates["weak"] != 1 {
		t.Errorf("a definite refusal was retried %d times", ft.creates["weak"]-1)
	}
	if ft.creates["hopeless"] != DefaultAttempts {
		t.Errorf("hopeless: %d attempts, want %d", ft.creates["hopeless"], DefaultAttempts)
	}
	if !strings.Contains(got["raced"].Message, "secret") {
		t.Errorf("raced: the conflict should say the secret differs: %s", got["raced"].Message)
	}
	kinds := map[EventKind]int{}
	for _, ev := range evs {
		kinds[ev.Kind]++
	}
	if kinds[EventRetried] == 0 || kinds[EventWaiting] == 0 {
		t.Errorf("%d retried and %d waiting events, want some of each", kinds[EventRetried], kinds[EventWaiting])
	}
	checks := verdicts(evs)
	for _, id := range []string{"commit", "drop", "limited", "flaky"} {
		if !checks[id].Passed() {
			t.Errorf("%s: checklist %+v", id, checks[id])
		}
	}
	s := summaryOf(t, evs)
	if s.OK() {
		t.Error("a run with failures must not be OK")
	}
	if s.RateLimited != 3 {
		t.Errorf("rate limited %d, want 3", s.RateLimited)
	}
}

func TestEngineCancelStopsNewWorkAndRerunFinishes(t *testing.T) {
	ft := newFake("project-test-1")
	var clients []Client
	for i := range 40 {
		clients = append(clients, testClient(fmt.Sprintf("c%02d", i), "a"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int32
	ft.onCreate = func(string) {
		if started.Add(1) == 10 {
			cancel()
			time.Sleep(5 * time.Millisecond) // the create in flight still finishes
		}
	}
	p, err := NewPlan(ctx, ft, "test", clients, "")
	if err != nil {
		t.Fatal(err)
	}
	opt := fastOptions()
	opt.Concurrency = 4
	opt.ReportPath = filepath.Join(t.TempDir(), "r.json")
	evs := collect(t, ctx, ft, p, opt)
	got := finals(t, p, evs)
	var imported, canceled int
	for _, ev := range got {
		switch ev.State {
		case StateImported:
			imported++
		case StateCanceled:
			canceled++
		default:
			t.Errorf("%s ended %s: %s %+v", ev.ClientID, ev.State, ev.Message, ev.Error)
		}
	}
	if imported < 10 || canceled == 0 || imported+canceled != 40 {
		t.Fatalf("%d imported, %d canceled", imported, canceled)
	}
	if len(ft.clients) != imported {
		t.Fatalf("the target holds %d clients, the run says %d imported", len(ft.clients), imported)
	}
	s := summaryOf(t, evs)
	if !s.Canceled || s.OK() {
		t.Fatalf("summary canceled=%v ok=%v", s.Canceled, s.OK())
	}

	// Run again: the plan skips what is there and creates the rest.
	ft.onCreate = nil
	p2, err := NewPlan(context.Background(), ft, "test", clients, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := p2.Counts(); n.Skip != imported || n.Create != 40-imported {
		t.Fatalf("second plan %+v", n)
	}
	evs = collect(t, context.Background(), ft, p2, fastOptions())
	if s := summaryOf(t, evs); !s.OK() || s.Progress.Imported+s.Progress.Skipped != 40 {
		t.Fatalf("second run %+v", s.Progress)
	}
	for id, n := range ft.creates {
		if n != 1 {
			t.Errorf("%s was created %d times", id, n)
		}
	}
}

func TestEngineSlowReaderLosesNoFinalEvent(t *testing.T) {
	ft := newFake("project-test-1")
	var clients []Client
	for i := range 300 {
		clients = append(clients, testClient(fmt.Sprintf("c%03d", i), "a"))
	}
	p, err := NewPlan(context.Background(), ft, "test", clients, "")
	if err != nil {
		t.Fatal(err)
	}
	var evs []Event
	for ev := range Execute(context.Background(), ft, p, fastOptions()) {
		if ev.Seq%50 == 0 {
			time.Sleep(time.Millisecond)
		}
		evs = append(evs, ev)
	}
	finals(t, p, evs)
	for i, ev := range evs {
		if ev.Seq != i+1 {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
	if s := summaryOf(t, evs); s.Progress.Verified != 300 || !s.OK() {
		t.Fatalf("%+v", s.Progress)
	}
}

func TestUndoDeletesOnlyUnchangedClientsThatRunCreated(t *testing.T) {
	ctx := context.Background()
	ft := newFake("project-test-1")
	pre := testClient("pre", "a")
	ft.put(pre, "active")
	clients := []Client{pre, testClient("keep", "a"), testClient("gone", "a"), testClient("del", "a"), testClient("late", "a")}
	dir := t.TempDir()
	importReport := filepath.Join(dir, "import.json")
	importWithReport(t, ft, clients, importReport)

	ft.clients["keep"].Scopes = NewScopes("a", "b") // changed since
	delete(ft.clients, "gone")                      // deleted by hand
	up, r := planUndoOf(t, ft, importReport)
	opt := fastOptions()
	if len(up.Items) != 4 {
		t.Fatalf("undo plans %d clients, want the 4 the run created", len(up.Items))
	}
	ft.clients["late"].Name = "renamed while the operator read the plan"
	undoReport := filepath.Join(dir, "undo.json")
	opt.ReportPath = undoReport
	evs := collect(t, ctx, ft, up, opt)
	got := finals(t, up, evs)
	for id, s := range map[string]State{"keep": StateConflict, "gone": StateSkipped, "del": StateDeleted, "late": StateConflict} {
		if got[id].State != s {
			t.Errorf("%s ended %s (%s), want %s", id, got[id].State, got[id].Message, s)
		}
	}
	if _, ok := ft.clients["late"]; !ok || !strings.Contains(got["late"].Message, "since the plan (name)") {
		t.Errorf("a client changed after the plan is kept, and the event says why: %q", got["late"].Message)
	}
	if _, ok := ft.clients["pre"]; !ok {
		t.Error("undo deleted a client the run did not create")
	}
	if _, ok := ft.clients["del"]; ok {
		t.Error("undo left a client the run created")
	}
	ur, err := ReadReport(undoReport, testReportKey)
	if err != nil || ur.Kind != "undo" || ur.Undoes != importReport {
		t.Fatalf("undo report: %v %+v", err, ur)
	}
	if _, err := PlanUndo(ctx, ft, ur, undoReport, UndoOptions{}); err == nil {
		t.Error("an undo report cannot be undone")
	}
	other := newFake("project-test-2")
	if _, err := PlanUndo(ctx, other, r, importReport, UndoOptions{}); err == nil || !strings.Contains(err.Error(), "project-test-1") {
		t.Errorf("undo against another project: %v", err)
	}
}

func TestCancelStopsRetriesButResolvesAmbiguity(t *testing.T) {
	ft := newFake("project-test-1")
	ctx, cancel := context.WithCancel(context.Background())
	var inFlight atomic.Int32
	ft.onCreate = func(string) { // the run is cancelled while both creates are in flight
		if inFlight.Add(1) == 2 {
			cancel()
		}
		<-ctx.Done()
	}
	ft.createFault = func(id string, attempt int) string {
		if id == "stored" {
			return "commitdrop"
		}
		return "429"
	}
	clients := []Client{testClient("stored", "a"), testClient("limited", "a")}
	p, err := NewPlan(context.Background(), ft, "test", clients, "")
	if err != nil {
		t.Fatal(err)
	}
	opt := fastOptions()
	opt.Concurrency = 2
	got := finals(t, p, collect(t, ctx, ft, p, opt))
	if ft.creates["stored"] > 1 || ft.creates["limited"] > 1 {
		t.Fatalf("a cancelled run retried: %v", ft.creates)
	}
	if got["stored"].State != StateImported {
		t.Errorf("an ambiguous create in flight at cancel should be resolved by a read: %s %s", got["stored"].State, got["stored"].Message)
	}
	if got["limited"].State != StateCanceled || !strings.Contains(got["limited"].Message, "run again") {
		t.Errorf("limited: %s %q", got["limited"].State, got["limited"].Message)
	}
}

func TestEngineHonoursRetryAfterOnCreates(t *testing.T) {
	ft := newFake("project-test-1")
	var firstAt, secondAt time.Time
	ft.onCreate = func(string) {
		if firstAt.IsZero() {
			firstAt = time.Now()
		} else {
			secondAt = time.Now()
		}
	}
	ft.createFault = func(id string, attempt int) string {
		if attempt == 1 {
			return "429"
		}
		return ""
	}
	p, err := NewPlan(context.Background(), ft, "test", []Client{testClient("a", "x")}, "")
	if err != nil {
		t.Fatal(err)
	}
	target := retryAfterTarget{ft, 300 * time.Millisecond}
	got := finals(t, p, collect(t, context.Background(), target, p, fastOptions()))
	if got["a"].State != StateImported {
		t.Fatalf("%+v", got["a"])
	}
	if gap := secondAt.Sub(firstAt); gap < 300*time.Millisecond {
		t.Fatalf("retried after %v, the API asked for 300 ms", gap)
	}
}

// retryAfterTarget adds a Retry-After to the fake's 429s.
type retryAfterTarget struct {
	*fakeTarget
	after time.Duration
}

func (r retryAfterTarget) Create(ctx context.Context, c *Client) (Stored, error) {
	s, err := r.fakeTarget.Create(ctx, c)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == 429 {
		ae.RetryAfter = r.after
	}
	return s, err
}

// A cancel that comes while a create waits to retry (here, for the Retry-After of a 429) ends
// the wait and sends nothing more: the retry would be new work.
func TestCancelDuringABackoffSendsNoRetry(t *testing.T) {
	ft := newFake("project-test-1")
	ft.createFault = func(string, int) string { return "429" }
	p, err := NewPlan(context.Background(), ft, "test", []Client{testClient("a", "x")}, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	target := retryAfterTarget{ft, time.Hour} // honoured up to maxRetryAfter
	var evs []Event
	for ev := range Execute(ctx, target, p, fastOptions()) {
		if ev.Kind == EventWaiting {
			cancel()
		}
		evs = append(evs, ev)
	}
	got := finals(t, p, evs)
	if n := ft.creates["a"]; n != 1 {
		t.Fatalf("%d creates: the run retried after it was cancelled", n)
	}
	if got["a"].State != StateCanceled {
		t.Fatalf("a ended %s (%s), want canceled", got["a"].State, got["a"].Message)
	}
}

// A run whose report cannot be written writes nothing to the target: undo and reruns need
// the report, so an import without one would be a blind write.
func TestEngineWritesNothingWithoutAReport(t *testing.T) {
	ctx := context.Background()
	ft := newFake("project-test-1")
	p, err := NewPlan(ctx, ft, "test", []Client{testClient("a", "read:a"), testClient("b", "read:b")}, ResolveSkip)
	if err != nil {
		t.Fatal(err)
	}
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	opt := fastOptions()
	opt.ReportPath = filepath.Join(notADir, "run.json")
	evs := collect(t, ctx, ft, p, opt)
	for id, ev := range finals(t, p, evs) {
		if ev.State != StateCanceled || !strings.Contains(ev.Message, "report cannot be written") {
			t.Errorf("%s: %s %q", id, ev.State, ev.Message)
		}
	}
	if s := summaryOf(t, evs); s.NotStarted == "" || s.OK() || s.ReportPath != "" {
		t.Errorf("summary %+v", s)
	}
	if n := len(ft.creates); n != 0 {
		t.Errorf("%d creates without a report", n)
	}
}

// importWithReport imports clients into ft, writing the run's report to path.
func importWithReport(t *testing.T, ft Target, clients []Client, path string) {
	t.Helper()
	p, err := NewPlan(context.Background(), ft, "test", clients, "")
	if err != nil {
		t.Fatal(err)
	}
	opt := fastOptions()
	opt.ReportPath = path
	collect(t, context.Background(), ft, p, opt)
}

// readReport reads the report at path with the tests' key, failing t when it can't.
func readReport(t *testing.T, path string) *Report {
	t.Helper()
	r, err := ReadReport(path, testReportKey)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// importedA imports client a into a new fake project, with its report in a new folder.
func importedA(t *testing.T) (ft *fakeTarget, dir, report string) {
	t.Helper()
	ft, dir = newFake("project-test-1"), t.TempDir()
	report = filepath.Join(dir, "import.ndjson")
	importWithReport(t, ft, []Client{testClient("a", "x")}, report)
	return ft, dir, report
}

// planUndoOf plans the undo of the import whose report is at path.
func planUndoOf(t *testing.T, ft Target, path string) (*Plan, *Report) {
	t.Helper()
	r := readReport(t, path)
	up, err := PlanUndo(context.Background(), ft, r, path, UndoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return up, r
}

// keysCancelled cancels the run when the project's keys are asked for, and then answers as
// a rate-limited API would: the operator pressed Ctrl-C while the token was being checked.
type keysCancelled struct {
	*fakeTarget
	cancel context.CancelFunc
}

func (k keysCancelled) Key(ctx context.Context, kid string) (crypto.PublicKey, error) {
	k.cancel()
	return nil, apiErr(429, "too_many_requests")
}

// A token check cut short by a cancel says nothing about the client: with retries off after
// a cancel, a 429 for the keys is not a failed signature. It is counted as not checked, and
// the rerun checks it.
func TestCancelDuringTheTokenCheckLeavesItUnchecked(t *testing.T) {
	ft := newFake("project-test-1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := NewPlan(ctx, ft, "test", []Client{testClient("a", "x")}, "")
	if err != nil {
		t.Fatal(err)
	}
	evs := collect(t, ctx, keysCancelled{ft, cancel}, p, fastOptions())
	if got := finals(t, p, evs); got["a"].State != StateImported {
		t.Fatalf("a: %+v", got["a"])
	}
	var sum *Summary
	for _, ev := range evs {
		if ev.Kind == EventVerified {
			t.Fatalf("a check the cancel cut short was reported as a verdict: %+v", ev.Check)
		}
		if ev.Kind == EventFinished {
			sum = ev.Summary
		}
	}
	if sum == nil || sum.Progress.Verify != 1 || sum.Progress.Verified != 0 || sum.Progress.CheckFailed != 0 {
		t.Fatalf("progress: %+v, want 1 to verify, 0 verified, 0 failed", sum)
	}
}

// getsLimited answers every read as a rate-limited API would.
type getsLimited struct{ *fakeTarget }

func (g getsLimited) Get(ctx context.Context, id string) (Stored, error) {
	return Stored{}, apiErr(429, "too_many_requests")
}

// settleAfterCancel runs one create that is stored but gets no answer, in a run cancelled
// while it is in flight, against wrap(the fake): the run must then read the client to settle
// it. It returns the client's final event.
func settleAfterCancel(t *testing.T, wrap func(*fakeTarget) Target) Event {
	t.Helper()
	ft := newFake("project-test-1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ft.onCreate = func(string) { cancel() }
	ft.createFault = func(string, int) string { return "commitdrop" }
	p, err := NewPlan(context.Background(), ft, "test", []Client{testClient("a", "x")}, "")
	if err != nil {
		t.Fatal(err)
	}
	return finals(t, p, collect(t, ctx, wrap(ft), p, fastOptions()))["a"]
}

// A create that got no answer, in a run cancelled meanwhile, is read to settle it; when that
// read fails for good the client is cancelled with a message that says a rerun finishes it,
// not failed.
func TestCancelWhileSettlingAnAmbiguousCreateIsACancel(t *testing.T) {
	got := settleAfterCancel(t, func(ft *fakeTarget) Target { return getsLimited{ft} })
	if got.State != StateCanceled || !strings.Contains(got.Message, "run again") {
		t.Fatalf("a: %s %q", got.State, got.Message)
	}
}

// getsSeeStop records whether the HTTP layer would have been allowed to retry each read.
type getsSeeStop struct {
	*fakeTarget
	stopped *atomic.Int32
}

func (g getsSeeStop) Get(ctx context.Context, id string) (Stored, error) {
	if Stopped(ctx) {
		g.stopped.Add(1)
	}
	return g.fakeTarget.Get(ctx, id)
}

// Settling a create that may have been stored finishes the call in flight: the read keeps
// the HTTP layer's retries after a cancel, so the report can say whether the client exists.
func TestSettlingReadKeepsItsRetriesAfterACancel(t *testing.T) {
	var stopped atomic.Int32
	got := settleAfterCancel(t, func(ft *fakeTarget) Target { return getsSeeStop{ft, &stopped} })
	if got.State != StateImported || stopped.Load() != 0 {
		t.Fatalf("a: %s %q; reads made with retries off: %d", got.State, got.Message, stopped.Load())
	}
}

// deleteAnswerLost deletes, then answers as if the first answer was lost and the retry
// found nothing: what an undo sees when a DELETE's answer is dropped.
type deleteAnswerLost struct{ *fakeTarget }

func (d deleteAnswerLost) Delete(ctx context.Context, id string) error {
	if err := d.fakeTarget.Delete(ctx, id); err != nil {
		return err
	}
	return apiErr(404, CodeClientNotFound)
}

// Undo marks what it removed in the import's report: run again, it leaves alone a client a
// later import created under the same id. A delete whose answer was lost counts as deleted.
func TestUndoRunTwiceLeavesALaterImportAlone(t *testing.T) {
	ctx := context.Background()
	ft, dir, importReport := importedA(t)
	up, _ := planUndoOf(t, ft, importReport)
	opt := fastOptions()
	opt.ReportPath = filepath.Join(dir, "undo.json")
	if got := finals(t, up, collect(t, ctx, deleteAnswerLost{ft}, up, opt)); got["a"].State != StateDeleted {
		t.Fatalf("a delete whose answer was lost: %s %q", got["a"].State, got["a"].Message)
	}

	// A later import creates the same client again; the first undo, replayed, must not touch it.
	importWithReport(t, ft, []Client{testClient("a", "x")}, filepath.Join(dir, "import2.json"))
	r := readReport(t, importReport)
	if _, err := PlanUndo(ctx, ft, r, importReport, UndoOptions{}); !errors.Is(err, ErrNothingToUndo) || !strings.Contains(err.Error(), "undone already, by "+filepath.Join(dir, "undo.json")) {
		t.Fatalf("the same undo again: %v", err)
	}
	if _, ok := ft.clients["a"]; !ok {
		t.Fatal("the later import's client is gone")
	}
}
