package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// journalOf imports n clients (one of them blocked, so not every line is alike) with a
// report, and returns the report's bytes.
func journalOf(t *testing.T, n int, key []byte) (path string, b []byte) {
	t.Helper()
	ft := newFake("project-test-1")
	var clients []Client
	for i := range n {
		clients = append(clients, testClient(fmt.Sprintf("client-%03d", i), "read:a", "write:a"))
	}
	clients[1].Secret = NewSecret("short") // blocked: too weak
	p, err := NewPlan(context.Background(), ft, "test", clients, "")
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "import.ndjson")
	opt := fastOptions()
	opt.ReportPath, opt.ReportKey = path, key
	collect(t, context.Background(), ft, p, opt)
	if b, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	return path, b
}

// lines splits a journal into its lines, each with its newline.
func lines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b) - 1
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// A crash can stop a run anywhere in a line: the journal cut at every byte of its last line
// still reads, authenticated, with every whole line and nothing of the cut one, and says so.
// Cut before its closing line, the last line is a client's; cut in the closing line, it is
// that one. Marks an undo appends after such a cut are read too.
func TestJournalCutAtEveryByteOfItsLastLineStillReads(t *testing.T) {
	path, full := journalOf(t, 4, testReportKey)
	ls := lines(full)
	if !bytes.Contains(ls[len(ls)-1], []byte(`"t":"end"`)) {
		t.Fatalf("the last line is not the closing line: %s", ls[len(ls)-1])
	}
	killed := bytes.Join(ls[:len(ls)-1], nil) // as a run killed before its end line leaves it
	for _, tc := range []struct {
		name    string
		journal []byte
		clients int // whole client lines before the last line
	}{
		{"a client's line", killed, 3},
		{"the closing line", full, 4},
	} {
		last := lines(tc.journal)[len(lines(tc.journal))-1]
		start := len(tc.journal) - len(last)
		for cut := start; cut <= len(tc.journal); cut++ {
			if err := os.WriteFile(path, tc.journal[:cut], 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := ReadReport(path, testReportKey)
			if err != nil {
				t.Fatalf("%s cut at byte %d of %d: %v", tc.name, cut-start, len(last), err)
			}
			whole := cut >= len(tc.journal)-1 // at most the newline is missing
			wantClients := tc.clients
			if whole && tc.name == "a client's line" {
				wantClients++
			}
			if !r.Authenticated() || len(r.Clients) != wantClients || (r.Cut != "") == (whole || cut == start) {
				t.Fatalf("%s cut at byte %d of %d: auth %s, %d clients (want %d), cut %q", tc.name, cut-start, len(last), r.Auth, len(r.Clients), wantClients, r.Cut)
			}
			if r.Cut != "" && !strings.Contains(r.Cut, "cut short") {
				t.Fatalf("the report says of its cut line: %q", r.Cut)
			}
			if tc.name == "a client's line" && r.Ended() {
				t.Fatal("a journal without its closing line reads as ended")
			}
		}
	}

	// An undo marks a client after a cut: the mark is a line of its own and is read.
	cut := killed[:len(killed)-20]
	if err := os.WriteFile(path, cut, 0o600); err != nil {
		t.Fatal(err)
	}
	before := readReport(t, path)
	marked := ""
	for _, c := range before.Clients {
		if c.Created != "" {
			marked = c.ID
		}
	}
	if err := MarkUndone(path, "undo.ndjson", []string{marked}); err != nil {
		t.Fatal(err)
	}
	r := readReport(t, path)
	undone := map[string]string{}
	for _, c := range r.Clients {
		undone[c.ID] = c.UndoneBy
	}
	if marked == "" || r.Cut == "" || undone[marked] != "undo.ndjson" {
		t.Fatalf("after a cut and a mark of %q: cut %q, undone %v", marked, r.Cut, undone)
	}
}

// A report costs what it holds: a line per client, written once, with a passing checklist
// said once rather than per client.
func TestJournalWritesEachClientOnce(t *testing.T) {
	_, b := journalOf(t, 50, testReportKey)
	if n := bytes.Count(b, []byte(`"t":"client"`)); n != 50 {
		t.Fatalf("%d client lines for 50 clients", n)
	}
	if n := bytes.Count(b, []byte(`"t":"checklist"`)); n != 1 {
		t.Fatalf("%d checklist lines", n)
	}
	if bytes.Contains(b, []byte(`"expected"`)) || bytes.Contains(b, []byte(`"payload"`)) {
		t.Fatal("a passing check's lines are repeated per client")
	}
	var c clientLine
	for _, l := range lines(b) {
		if bytes.Contains(l, []byte(`"client_id":"client-000"`)) {
			if err := json.Unmarshal(l, &c); err != nil {
				t.Fatal(err)
			}
		}
	}
	if c.Created != CreatedProven || c.Proof == "" || !c.Check.Passed() || c.Stored == nil || c.SecretLast4 == "" {
		t.Fatalf("a created client's line: %+v", c.ReportClient)
	}
}

// A report m2mport did not write as it stands is refused, or can't be authenticated; an
// older report says it is one.
func TestReportAuthentication(t *testing.T) {
	path, b := journalOf(t, 3, testReportKey)
	ls := lines(b)
	write := func(b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// A client line changed: its MAC no longer matches.
	changed := bytes.Replace(b, []byte(`"state":"blocked"`), []byte(`"state":"xblocked"`), 1)
	write(changed)
	if _, err := ReadReport(path, testReportKey); !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "line ") {
		t.Errorf("a changed line: %v", err)
	}
	// A line taken out of the middle breaks the chain.
	write(bytes.Join(append(append([][]byte{}, ls[:2]...), ls[3:]...), nil))
	if _, err := ReadReport(path, testReportKey); !errors.Is(err, ErrTampered) {
		t.Errorf("a line removed: %v", err)
	}
	// With another machine's key, or none, the report reads but is not authenticated.
	write(b)
	for _, key := range [][]byte{nil, []byte("another machine's key, 32 bytes!")} {
		r, err := ReadReport(path, key)
		if err != nil || r.Authenticated() || r.WhyUnauthenticated() == "" {
			t.Errorf("key %q: %v, auth %s", key, err, r.Auth)
		}
		if _, err := PlanUndo(context.Background(), newFake("project-test-1"), r, path, UndoOptions{}); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("undo of a report it can't authenticate (key %q): %v", key, err)
		}
	}

	// A report written by hand, naming a client that existed before m2mport ran.
	ft := newFake("project-test-1")
	pre := testClient("pre-existing", "a")
	ft.put(pre, "active")
	hand := fmt.Sprintf(`{"t":"header","format":2,"kind":"import","project_id":"project-test-1","auth":"none"}
{"t":"client","client_id":"pre-existing","name":%q,"scopes":["a"],"action":"create","state":"imported","created":"proven","stored":{"name":%q,"description":%q,"scopes":["a"],"secret_last_four":%q}}
`, pre.Name, pre.Name, pre.Description, pre.Secret.Last4())
	write([]byte(hand))
	r, err := ReadReport(path, testReportKey)
	if err != nil || r.Auth != AuthNone {
		t.Fatalf("a hand-written report: %v %v", err, r)
	}
	if _, err := PlanUndo(context.Background(), ft, r, path, UndoOptions{}); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "no authentication codes") {
		t.Errorf("undo of a hand-written report: %v", err)
	}
	// Written by hand with a MAC that claims this machine's key: refused outright.
	forged := strings.Replace(hand, `"auth":"none"}`, `"auth":"hmac-sha256","key_id":"`+KeyID(testReportKey)+`","mac":"`+strings.Repeat("A", macLen)+`"}`, 1)
	write([]byte(forged))
	if _, err := ReadReport(path, testReportKey); !errors.Is(err, ErrTampered) {
		t.Errorf("a forged MAC: %v", err)
	}
	if _, ok := ft.clients["pre-existing"]; !ok {
		t.Fatal("the pre-existing client is gone")
	}

	// A report in format 1, the format before journals.
	old, _ := json.MarshalIndent(map[string]any{"format": 1, "kind": "import", "project_id": "project-test-1",
		"clients": []map[string]any{{"client_id": "pre-existing", "created": true}}}, "", "  ")
	write(old)
	if _, err := ReadReport(path, testReportKey); !errors.Is(err, ErrOldReport) || !strings.Contains(err.Error(), "format 1") {
		t.Errorf("a format 1 report: %v", err)
	}
}

// Undo deletes what a run provably created. A client found identical after a create that
// got no answer is recorded unconfirmed, listed and kept, unless the operator includes them.
func TestUndoKeepsUnconfirmedCreations(t *testing.T) {
	ctx := context.Background()
	ft := newFake("project-test-1")
	ft.createFault = func(id string, attempt int) string {
		if id == "ambiguous" && attempt == 1 {
			return "commitdrop" // stored, answer lost: the retry hears duplicate, the read finds it identical
		}
		return ""
	}
	dir := t.TempDir()
	report := filepath.Join(dir, "import.ndjson")
	importWithReport(t, ft, []Client{testClient("proven", "a"), testClient("ambiguous", "a")}, report)
	r := readReport(t, report)
	created := map[string]Creation{}
	for _, c := range r.Clients {
		created[c.ID] = c.Created
	}
	if created["proven"] != CreatedProven || created["ambiguous"] != CreatedUnconfirmed {
		t.Fatalf("creations %v", created)
	}
	up, err := PlanUndo(ctx, ft, r, report, UndoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]Action{}
	for _, it := range up.Items {
		actions[it.Client.ID] = it.Action
	}
	if actions["proven"] != ActionDelete || actions["ambiguous"] != ActionKeep || up.Counts().Keep != 1 {
		t.Fatalf("undo plan %v", actions)
	}
	opt := fastOptions()
	opt.ReportPath = filepath.Join(dir, "undo.ndjson")
	got := finals(t, up, collect(t, ctx, ft, up, opt))
	if _, ok := ft.clients["ambiguous"]; !ok || got["ambiguous"].State != StateSkipped {
		t.Fatalf("an unconfirmed creation was deleted: %s", got["ambiguous"].State)
	}
	if _, ok := ft.clients["proven"]; ok {
		t.Fatal("a proven creation was kept")
	}
	// Again, with the unconfirmed ones included: only those are left to delete.
	r, _ = ReadReport(report, testReportKey)
	up, err = PlanUndo(ctx, ft, r, report, UndoOptions{IncludeUnconfirmed: true})
	if err != nil || len(up.Items) != 1 || up.Items[0].Action != ActionDelete || up.Items[0].Client.ID != "ambiguous" {
		t.Fatalf("undo including unconfirmed creations: %v %+v", err, up)
	}
}

// Marks through a symlink land in the file it points to, and the link stays a link: an
// undo of the real file afterwards knows what was undone.
func TestUndoMarksThroughASymlinkLandInItsTarget(t *testing.T) {
	ctx := context.Background()
	ft, dir, real := importedA(t)
	link := filepath.Join(dir, "link.ndjson")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	up, _ := planUndoOf(t, ft, link)
	opt := fastOptions()
	opt.ReportPath = filepath.Join(dir, "undo.ndjson")
	if got := finals(t, up, collect(t, ctx, ft, up, opt)); got["a"].State != StateDeleted {
		t.Fatalf("undo through the link: %s", got["a"].State)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	importWithReport(t, ft, []Client{testClient("a", "x")}, filepath.Join(dir, "import2.ndjson")) // a later run's client
	r := readReport(t, real)
	if _, err := PlanUndo(ctx, ft, r, real, UndoOptions{}); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo of the real file after an undo through the link: %v", err)
	}
	// A report is never written through a symlink, nor over a file.
	p, _ := NewPlan(ctx, ft, "test", []Client{testClient("b", "x")}, "")
	opt.ReportPath = link
	if s := summaryOf(t, collect(t, ctx, ft, p, opt)); s.NotStarted == "" || !strings.Contains(s.NotStarted, "exists already") {
		t.Fatalf("a report through a symlink: %+v", s)
	}
}

// Two runs on this machine never write to one project at once: the second is not started,
// and says which run holds the project.
func TestTwoRunsOnOneProjectAreNotStartedTogether(t *testing.T) {
	ctx := context.Background()
	ft := newFake("project-test-1")
	release := make(chan struct{})
	ft.onCreate = func(string) { <-release }
	state := t.TempDir()
	first, _ := NewPlan(ctx, ft, "test", []Client{testClient("a", "x")}, "")
	second, _ := NewPlan(ctx, ft, "test", []Client{testClient("b", "x")}, "")
	opt := fastOptions()
	opt.StateDir, opt.ReportPath = state, filepath.Join(state, "first.ndjson")
	events := Execute(ctx, ft, first, opt)
	for ev := range events {
		if ev.Kind == EventStarted {
			break
		}
	}
	opt.ReportPath = filepath.Join(state, "second.ndjson")
	s := summaryOf(t, collect(t, ctx, ft, second, opt))
	close(release)
	for range events {
	}
	if !s.Locked || !strings.Contains(s.NotStarted, "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(s.NotStarted, "first.ndjson") {
		t.Fatalf("the second run: %+v", s)
	}
	if ft.creates["b"] != 0 {
		t.Fatal("the second run wrote")
	}
	// The first has ended: the lock is free again.
	if s := summaryOf(t, collect(t, ctx, ft, second, opt)); s.NotStarted != "" || !s.OK() {
		t.Fatalf("after the first run: %+v", s)
	}
}

// A lock whose holder died (killed, say) is taken over, and the new run says from whom.
func TestLockOfADeadRunIsTakenOver(t *testing.T) {
	if os.Getenv("M2MPORT_LOCK_HOLDER") != "" {
		if _, err := LockProject(os.Getenv("M2MPORT_LOCK_HOLDER"), "p", LockHolder{PID: os.Getpid(), Kind: "import", Started: time.Now()}); err != nil {
			os.Exit(3)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute) // until killed
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLockOfADeadRunIsTakenOver$")
	cmd.Env = append(os.Environ(), "M2MPORT_LOCK_HOLDER="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked" {
		t.Fatalf("the holder says %q: %v", buf, err)
	}
	me := LockHolder{PID: os.Getpid(), Kind: "import", Started: time.Now()}
	if _, err := LockProject(dir, "p", me); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", cmd.Process.Pid)) {
		t.Fatalf("while the holder lives: %v", err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	l, err := LockProject(dir, "p", me)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	defer l.Unlock()
	if !strings.Contains(l.Stale, fmt.Sprintf("pid %d", cmd.Process.Pid)) {
		t.Fatalf("the stale lock's holder is not named: %q", l.Stale)
	}
}
