package client

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

// Defaults of the import engine (specs/stytch.md §6: Stytch asks bulk scripts to stay at or
// below 65 requests per second).
const (
	DefaultConcurrency = 8
	DefaultRate        = 50.0
	DefaultAttempts    = 8
)

// Options tune a run. The zero value is usable: defaults apply.
type Options struct {
	Concurrency int     // clients worked on at once; DefaultConcurrency when 0
	Rate        float64 // requests per second, all calls included; DefaultRate when 0
	// Verify mints a token for every imported, updated or skipped client and checks it.
	Verify bool
	// MaxAttempts caps the attempts at one create (DefaultAttempts), which the HTTP layer
	// sends once each. Reads, updates, deletes and tokens are idempotent: the HTTP layer
	// retries them itself, and the engine tries them again at most retryCalls times.
	MaxAttempts int
	// ReportPath, when set, is where the run report (a journal: journal.go) is written, a
	// line per client as it ends. It must not exist yet.
	ReportPath string
	// ReportKey authenticates the report's lines (HMAC-SHA256); nil writes a report without
	// authentication codes, which undo trusts only when told to. An undo's ReportKey also
	// checks nothing: the import's report was read and checked by PlanUndo.
	ReportKey []byte
	// StateDir, when set, is m2mport's state folder (StateDir): the run takes the project's
	// lock there (LockProject) before writing anything, so that two runs on this machine
	// never write to one project at once.
	StateDir string
	// Now is the clock the checklist compares token times with; time.Now when nil.
	Now func() time.Time

	retryBase time.Duration // first backoff; tests shorten it
}

// retryCalls is how often the engine makes an idempotent call whose HTTP layer gave up.
const retryCalls = 3

// maxRetryAfter caps how long the engine honours a Retry-After between two attempts.
const maxRetryAfter = time.Minute

// reportEvery is how often the report's new lines are written and synced during a run.
const reportEvery = time.Second

type run struct {
	t       Target
	p       *Plan
	opt     Options
	pacer   *Bucket // paces every call of the run, and counts them
	evs     chan Event
	out     chan Event
	started time.Time
	undo    bool
	// stopped is closed when the run is cancelled: calls in flight finish, but no call is
	// retried after it (a rerun finishes the job).
	stopped <-chan struct{}
	// noReport is why the run's report could not be written (or the project's lock taken)
	// before it started; such a run writes nothing to the target, since undo and reruns
	// rely on the report.
	noReport error
	locked   bool         // noReport is another run's hold on the project's lock
	journal  *journal     // nil when no report file was asked for
	lock     *ProjectLock // nil when no state folder was given
}

func (r *run) cancelled() bool {
	select {
	case <-r.stopped:
		return true
	default:
		return false
	}
}

// Execute carries out the plan against the target and reports everything on the returned
// channel, which is closed after the EventFinished event. The caller must read the channel
// until it closes. The plan must not change while it runs.
//
// Every client gets one EventPlanned, then exactly one final event (its State), then, when
// verifying, one EventVerified. Cancelling ctx stops starting clients (they end Canceled)
// while the calls in flight finish and are reported; a token check the cancel cut short
// gets no EventVerified (it counts in Progress.Verify, not in Verified: not checked).
func Execute(ctx context.Context, t Target, p *Plan, opt Options) <-chan Event {
	if opt.Concurrency <= 0 {
		opt.Concurrency = DefaultConcurrency
	}
	if opt.Rate <= 0 {
		opt.Rate = DefaultRate
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = DefaultAttempts
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.retryBase <= 0 {
		opt.retryBase = 200 * time.Millisecond
	}
	r := &run{
		t: t, p: p, opt: opt,
		pacer:   NewBucket(opt.Rate),
		evs:     make(chan Event, 256),
		out:     make(chan Event, 64),
		started: time.Now(),
		undo:    p.Undoes != "",
		stopped: ctx.Done(),
	}
	if r.undo {
		r.opt.Verify = false // nothing to mint a token for
	}
	r.open()
	go r.collect()
	go r.dispatch(ctx)
	return r.out
}

// emit hands an event to the collector. Engine events wait for room: that is how a slow
// reader slows the run down instead of losing events.
func (r *run) emit(ev Event) {
	if ev.Index >= 0 {
		c := &r.p.Items[ev.Index].Client
		ev.ClientID, ev.Name = c.ID, c.Name
	}
	r.evs <- ev
}

func (r *run) dispatch(ctx context.Context) {
	var jobs []int
	for i := range r.p.Items {
		r.emit(PlannedEvent(r.p, i))
	}
	for i := range r.p.Items {
		it := &r.p.Items[i]
		switch {
		case it.Action == ActionBlocked:
			r.final(i, outcome{state: StateBlocked, msg: it.Reason()})
		case it.Action == ActionConflict && it.Resolution != ResolveUpdate:
			r.final(i, outcome{state: StateConflict, msg: it.Reason()})
		case it.Action == ActionKeep:
			r.final(i, outcome{state: StateSkipped, msg: it.Reason()})
		case it.Action == ActionSkip:
			r.final(i, outcome{state: StateSkipped, msg: it.Reason()})
			if r.opt.Verify {
				jobs = append(jobs, i)
			}
		default:
			jobs = append(jobs, i)
		}
	}

	queue := make(chan int)
	var wg sync.WaitGroup
	for range min(r.opt.Concurrency, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				r.work(ctx, i)
			}
		}()
	}
	fed := 0
feed:
	for ; fed < len(jobs); fed++ {
		if ctx.Err() != nil || r.noReport != nil {
			break
		}
		select {
		case queue <- jobs[fed]:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	notStarted := outcome{state: StateCanceled, msg: "not started: the run was cancelled"}
	sum := &Summary{Canceled: ctx.Err() != nil}
	if r.noReport != nil {
		notStarted.msg = "not started: " + r.noReport.Error()
		sum = &Summary{NotStarted: r.noReport.Error(), Locked: r.locked}
	}
	for _, i := range jobs[fed:] {
		if a := r.p.Items[i].Action; a != ActionSkip && a != ActionKeep { // a skip already has its final state
			r.final(i, notStarted)
		}
	}
	wg.Wait()
	r.evs <- Event{Kind: EventFinished, Index: -1, Summary: sum}
	close(r.evs)
}

// outcome is how a client's write ended.
type outcome struct {
	state      State
	msg        string
	err        error
	stored     *Stored  // what the target holds after this run wrote it
	created    Creation // whether this run created the client, and how surely
	proof      string   // how it knows
	attempts   int
	requestIDs []string // of the client's calls so far
}

func (r *run) final(i int, o outcome) {
	r.emit(Event{Kind: EventKind(o.state), Index: i, State: o.state, Message: o.msg, Error: NewErrorInfo(o.err), Attempt: o.attempts, outcome: &o})
}

// callCtx is the context of a client's calls: not cancelled with the run (a call in flight
// finishes), paced by the run's bucket, its waits reported as the client's events.
func (r *run) callCtx(ctx context.Context, i int) context.Context {
	c := WithStop(WithPacer(context.WithoutCancel(ctx), r.pacer), r.stopped)
	return WithWaitReporter(c, func(w Wait) {
		// Never block the HTTP layer: a wait that finds no room is dropped, it is news only.
		select {
		case r.evs <- Event{Kind: EventWaiting, Index: i, ClientID: r.p.Items[i].Client.ID, Name: r.p.Items[i].Client.Name, Attempt: w.Attempt, Wait: waitInfo(w), Message: w.String()}:
		default:
		}
	})
}

func (r *run) work(ctx context.Context, i int) {
	it := &r.p.Items[i]
	var ids []string // the client's calls are made one after the other, on this goroutine
	call := WithRequestIDs(r.callCtx(ctx, i), func(id string) { ids = append(ids, id) })
	if it.Action != ActionSkip {
		r.emit(Event{Kind: EventStarted, Index: i})
		var o outcome
		switch it.Action {
		case ActionCreate:
			o = r.create(call, i)
		case ActionConflict:
			o = r.update(call, i)
		case ActionDelete:
			o = r.delete(call, i)
		default:
			o = outcome{state: StateFailed, err: fmt.Errorf("client %s: nothing to do for action %q", it.Client.ID, it.Action)}
		}
		o.requestIDs, ids = ids, nil
		r.final(i, o)
		if o.state != StateImported && o.state != StateUpdated && o.state != StateSkipped {
			return
		}
	}
	if r.opt.Verify && ctx.Err() == nil {
		if cl, interrupted := r.verify(call, i); !interrupted {
			r.emit(Event{Kind: EventVerified, Index: i, Check: cl, requestIDs: ids})
		}
	}
}

// transient reports whether err is worth another attempt: no answer, a 429 or a 5xx.
func transient(err error) bool {
	s := StatusOf(err)
	return errors.Is(err, ErrNoAnswer) || s == http.StatusTooManyRequests || s >= 500
}

// tries starts the engine's retry loop for one call of at most attempts tries. Its waits end
// when the run is cancelled, whatever ctx's own stop says: the calls run on a context that
// is never cancelled, and the retry after the wait would be new work.
func (r *run) tries(ctx context.Context, attempts int) *Tries {
	return Retry{Attempts: attempts, Base: r.opt.retryBase, Max: r.opt.retryBase << 5, MaxAfter: maxRetryAfter}.Start(WithStop(ctx, r.stopped))
}

// again tells tries that err is worth another try, with the wait the API asked for.
func again(tries *Tries, err error) {
	after := time.Duration(-1)
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		after = ae.RetryAfter
	}
	tries.Again(err, StatusOf(err), after)
}

// create imports the client, resolving ambiguous attempts: a create that got no answer may
// have been stored, so when a retry hears duplicate_m2m_client_id the stored client is read
// and counted as imported only if it is the record.
func (r *run) create(ctx context.Context, i int) outcome {
	c := &r.p.Items[i].Client
	unsure := false // an earlier attempt may have been stored
	tries := r.tries(ctx, r.opt.MaxAttempts)
	for attempt := range tries.All() {
		if attempt > 1 {
			r.emit(Event{Kind: EventRetried, Index: i, Attempt: attempt, Message: retryMessage(tries.Err)})
		}
		s, err := r.t.Create(ctx, c)
		if err == nil {
			proof := "the create was answered 2xx with the stored client"
			if attempt > 1 {
				proof = fmt.Sprintf("attempt %d of the create was answered 2xx with the stored client", attempt)
			}
			return outcome{state: StateImported, stored: &s, created: CreatedProven, proof: proof, attempts: attempt}
		}
		if HasCode(err, CodeDuplicateClientID) {
			o := r.resolveExisting(ctx, c, unsure)
			o.attempts = attempt
			return o
		}
		if b := refusedSecret(err); b != nil {
			// The secret must stay the same to keep the client's services working, and no
			// retry makes Stytch take it: the client is blocked, in Stytch's own words.
			return outcome{state: StateBlocked, msg: b.Error(), err: err, attempts: attempt}
		}
		if !transient(err) {
			return outcome{state: StateFailed, err: fmt.Errorf("create client %s: %w", c.ID, err), attempts: attempt}
		}
		// A 5xx is a definite answer in principle; a server that stored the client and then
		// failed would make the next attempt a duplicate, so treat it as unsure too.
		unsure = unsure || errors.Is(err, ErrNoAnswer) || StatusOf(err) >= 500
		again(tries, err)
	}
	last := tries.Err
	if tries.End == RetryStopped {
		if unsure { // one read tells whether the last attempt was stored
			o := r.resolveExisting(ctx, c, true)
			if StatusOf(o.err) != http.StatusNotFound {
				o.attempts = tries.N
				return o
			}
		}
		return outcome{state: StateCanceled, attempts: tries.N,
			msg: fmt.Sprintf("cancelled before retrying (%v); run again to finish", last)}
	}
	if unsure {
		// An attempt may have been stored: the target has the last word.
		if o := r.resolveExisting(ctx, c, true); StatusOf(o.err) != http.StatusNotFound {
			o.attempts = tries.N
			return o
		}
	}
	return outcome{state: StateFailed, attempts: tries.N,
		err: fmt.Errorf("create client %s: gave up after %d attempts: %w", c.ID, tries.N, last)}
}

// refusedSecret turns Stytch's refusal of a secret at create (insecure_m2m_client_secret,
// client_secret_too_long) into the Blocker the plan would have given had it known: the
// plan's secret rule is a guess (specs/stytch.md: Stytch documents only "at least 8
// characters and pass entropy requirements"), and Stytch has the last word.
func refusedSecret(err error) *Blocker {
	var ae *APIError
	if !errors.As(err, &ae) || (ae.Code != CodeInsecureSecret && ae.Code != CodeSecretTooLong) {
		return nil
	}
	msg := ae.Message
	if msg == "" {
		msg = ae.Code
	}
	return &Blocker{Reason: BlockWeakSecret, Message: "Stytch refused the secret: " + msg, Hint: limitHintSecretStays}
}

func retryMessage(err error) string {
	switch s := StatusOf(err); {
	case errors.Is(err, ErrNoAnswer):
		return "no answer to the last attempt: trying again"
	case s == http.StatusTooManyRequests:
		return "rate limited: trying again"
	case s >= 500:
		return fmt.Sprintf("server error %d: trying again", s)
	}
	return "trying again"
}

// resolveExisting reads a client the target says exists. It counts as imported by this run
// when an earlier attempt of ours may have stored it (unsure) and it is exactly the record,
// as skipped when it is the record but was there before, and as a conflict otherwise.
func (r *run) resolveExisting(ctx context.Context, c *Client, unsure bool) outcome {
	if unsure {
		// Settling an attempt that may have been stored is part of finishing the call in
		// flight, so a cancel does not stop its retries: the report must say whether the
		// client exists, or undo and the next run would not know it is theirs.
		ctx = WithStop(ctx, nil)
	}
	s, err := retry(r, ctx, func() (Stored, error) { return r.t.Get(ctx, c.ID) })
	if err != nil {
		if StatusOf(err) == http.StatusNotFound {
			return outcome{state: StateFailed, err: fmt.Errorf("create client %s: not stored: %w", c.ID, err)}
		}
		if r.cancelled() && transient(err) {
			// Even with the HTTP layer's retries the target would not say: the engine's own
			// stop after a cancel. About the cancel, not the client.
			return outcome{state: StateCanceled, msg: "cancelled before m2mport could tell whether its last attempt was stored; run again to finish"}
		}
		return outcome{state: StateFailed, err: fmt.Errorf("create client %s: it may exist, but reading it failed: %w (run again to finish)", c.ID, err)}
	}
	diff := Diff(c, s)
	switch {
	case len(diff) == 0 && unsure:
		// Which run stored it can't be told: another run's create may have landed between
		// ours and the read. Undo leaves such a client unless told otherwise.
		return outcome{state: StateImported, stored: &s, created: CreatedUnconfirmed,
			proof: "unconfirmed: an attempt got no answer or a server error, and the client was then found stored and identical (this run or another may have stored it)",
			msg:   "imported, unconfirmed (an earlier attempt got no answer or a server error; the stored client matches)"}
	case len(diff) == 0:
		return outcome{state: StateSkipped, msg: "already in the target, identical (it appeared after the plan was made)"}
	}
	it := Item{Client: *c, Action: ActionConflict, Stored: &s, Diff: diff}
	msg := it.Reason()
	if unsure {
		msg = "an attempt got no answer and the target now holds a different client: " + msg
	}
	return outcome{state: StateConflict, msg: msg}
}

// update writes the record over a conflicting client and checks the answer.
func (r *run) update(ctx context.Context, i int) outcome {
	it := &r.p.Items[i]
	if !it.CanUpdate() {
		return outcome{state: StateConflict, msg: it.Reason()}
	}
	s, err := retry(r, ctx, func() (Stored, error) { return r.t.Update(ctx, it.Client.ID, it.update()) })
	if err != nil {
		return outcome{state: StateFailed, err: fmt.Errorf("update client %s: %w", it.Client.ID, err)}
	}
	if d := Diff(&it.Client, s); len(d) > 0 {
		return outcome{state: StateFailed, err: fmt.Errorf("update client %s: the target still differs: %v", it.Client.ID, d)}
	}
	return outcome{state: StateUpdated, stored: &s}
}

// delete removes a client an earlier run created (undo), after reading it once more: the
// plan may be minutes old when the operator confirms it, and a client changed since then is
// someone's work, kept as a conflict like one changed before the plan.
func (r *run) delete(ctx context.Context, i int) outcome {
	it := &r.p.Items[i]
	id := it.Client.ID
	now, err := retry(r, ctx, func() (Stored, error) { return r.t.Get(ctx, id) })
	switch {
	case HasCode(err, CodeClientNotFound) || StatusOf(err) == http.StatusNotFound:
		return outcome{state: StateSkipped, msg: "already gone from the target"}
	case err != nil:
		return outcome{state: StateFailed, err: fmt.Errorf("read client %s before deleting it: %w", id, err)}
	case it.Stored != nil:
		if diff := changedSince(*it.Stored, now); len(diff) > 0 {
			return outcome{state: StateConflict, msg: fmt.Sprintf("changed in the target since the plan (%s): kept", diffFields(diff))}
		}
	}
	_, err = retry(r, ctx, func() (struct{}, error) { return struct{}{}, r.t.Delete(ctx, id) })
	switch {
	case err == nil:
		return outcome{state: StateDeleted}
	case HasCode(err, CodeClientNotFound) || StatusOf(err) == http.StatusNotFound:
		// It was there a moment ago: a not-found here is a retry of our own delete whose
		// answer was lost, so the client went by this undo.
		return outcome{state: StateDeleted, msg: "deleted (the answer to the delete was lost; the client is gone)"}
	}
	return outcome{state: StateFailed, err: fmt.Errorf("delete client %s: %w", id, err)}
}

// retry repeats an idempotent call on transient errors. The HTTP layer already retries
// idempotent requests within its own caps; this covers what is left when it gives up.
func retry[T any](r *run, ctx context.Context, call func() (T, error)) (T, error) {
	var v T
	var err error
	tries := r.tries(ctx, retryCalls)
	for range tries.All() {
		if v, err = call(); err == nil || !transient(err) {
			break
		}
		again(tries, err)
	}
	return v, err
}

// verify mints a token with the client's own credentials, asking for no particular scope so
// the token shows every scope the target gave the client, and runs the checklist.
//
// interrupted is true when the check could not be made because the run was cancelled: a
// call for the token or the project's keys failed in a way a retry would have mended, and
// a cancelled run retries nothing. Such a client is not checked rather than failed: its
// verdict would be about the cancel, not the client, and a rerun checks it.
func (r *run) verify(ctx context.Context, i int) (cl *Checklist, interrupted bool) {
	c := &r.p.Items[i].Client
	stoppedBy := func(err error) bool { return err != nil && transient(err) && r.cancelled() }
	tok, err := retry(r, ctx, func() (Token, error) { return r.t.Token(ctx, c.ID, c.Secret, nil) })
	if err != nil {
		return &Checklist{Checks: []Check{{Name: "token", Status: CheckFail, Expected: "a token for the client's own id and secret",
			Actual: NewErrorInfo(err).Message, Note: "the target refused the client's credentials or did not answer", Cause: NewErrorInfo(err)}}}, stoppedBy(err)
	}
	var keyErr error
	keys := func(ctx context.Context, kid string) (crypto.PublicKey, error) {
		k, err := r.t.Key(ctx, kid)
		keyErr = err
		return k, err
	}
	cl, err = CheckToken(ctx, tok.Value, keys, Expect{ProjectID: r.p.ProjectID, Issuers: r.t.Issuers(), ClientID: c.ID, Scopes: &c.Scopes,
		Lifetime: tok.ExpiresIn, Now: r.opt.Now()})
	if err != nil {
		return &Checklist{Checks: []Check{{Name: "token", Status: CheckFail, Expected: "a JWT", Actual: err.Error()}}}, false
	}
	return cl, !cl.Passed() && stoppedBy(keyErr)
}

func (r *run) kind() string {
	if r.undo {
		return "undo"
	}
	return "import"
}

// open takes the project's lock and creates the report, before the run writes anything.
func (r *run) open() {
	host, _ := os.Hostname()
	if r.opt.StateDir != "" {
		l, err := LockProject(r.opt.StateDir, r.p.ProjectID, LockHolder{PID: os.Getpid(), Host: host, Kind: r.kind(), Started: r.started, Report: r.opt.ReportPath})
		if err != nil {
			r.noReport, r.locked = err, errors.Is(err, ErrLocked)
			return
		}
		r.lock = l
	}
	if r.opt.ReportPath == "" {
		return
	}
	h := reportHeader{RunHeader: RunHeader{Kind: r.kind(), RunID: fmt.Sprintf("%s-%d", r.started.UTC().Format("20060102T150405.000Z"), os.Getpid()),
		Started: r.started.UTC(), Source: r.p.Source, ProjectID: r.p.ProjectID, Live: r.p.Live, Undoes: r.p.Undoes,
		Options: ReportOptions{Concurrency: r.opt.Concurrency, Rate: r.opt.Rate, Verify: r.opt.Verify},
		Total:   len(r.p.Items), Host: host, PID: os.Getpid()}}
	j, err := createJournal(r.opt.ReportPath, r.opt.ReportKey, h)
	if err != nil {
		r.noReport = fmt.Errorf("the run report cannot be written, and undo and reruns need it: %w", err)
		r.lock.Unlock()
		r.lock = nil
		return
	}
	r.journal = j
}

// reportClient is the report's line of item i, before its outcome is known.
func (r *run) reportClient(i int) ReportClient {
	it := &r.p.Items[i]
	rc := ReportClient{ID: it.Client.ID, Name: it.Client.Name, Scopes: it.Client.Scopes, SecretLast4: it.Client.Secret.Last4(),
		Action: it.Action, Resolution: it.Resolution, Diff: it.Diff, Blockers: it.Blockers, Warnings: it.Warnings}
	if rc.Scopes == nil {
		rc.Scopes = Scopes{}
	}
	return rc
}

// problem reports whether the summary lists the client: it failed, its check failed, or it
// was left in conflict or blocked.
func problem(c *ReportClient) bool {
	return (c.State == StateFailed && c.Error != nil) || (c.Check != nil && !c.Check.Passed()) ||
		c.State == StateConflict || c.State == StateBlocked
}

// collect owns the progress counts and the report: it numbers events, counts them, appends
// a client's line to the report when the client is done (its final state and, when
// verifying, its token's verdict) and passes the events on. It keeps nothing of a finished
// client but the summary's list of clients that did not end well: memory does not grow with
// the clients done. The new lines are written and synced at most every reportEvery, and at
// most reportEvery after a change, also when the run then goes quiet (every worker waiting on
// a slow answer or a long Retry-After): a crash loses at most that much of the report.
func (r *run) collect() {
	var prog Progress
	prog.Total = len(r.p.Items)
	var saveErr error
	lastSave := time.Now()
	dirty := false
	pending := map[int]*ReportClient{} // done but for the token check
	type indexed struct {
		i int
		c ReportClient
	}
	var problems []indexed
	var checklist []string // the names of a passing checklist's lines, once known
	checklistSaid := false
	// An undo marks what it removed in the import's report as it goes (MarkUndone).
	var undone []string
	markUndone := func() {
		if !r.undo || len(undone) == 0 {
			return
		}
		by := r.opt.ReportPath
		if by == "" {
			by = "an undo"
		}
		if err := MarkUndone(r.p.Undoes, by, undone); err != nil && saveErr == nil {
			saveErr = err
		} else if err == nil {
			undone = undone[:0]
		}
	}
	save := func() {
		markUndone()
		if r.journal != nil {
			if err := r.journal.sync(); err != nil && saveErr == nil {
				saveErr = err
			}
		}
		lastSave, dirty = time.Now(), false
	}
	write := func(i int, c *ReportClient) {
		if problem(c) {
			problems = append(problems, indexed{i, *c})
		}
		if r.journal != nil {
			if !checklistSaid && c.Check.Passed() && checklist != nil {
				r.journal.add(checklistLine{T: "checklist", Lines: checklist})
				checklistSaid = true
			}
			r.journal.add(clientLine{T: "client", ReportClient: *c})
			r.journal.clients++
		}
		dirty = true
	}
	seq := 0
	var flush <-chan time.Time // set while the file lags behind the run
	for {
		var ev Event
		select {
		case <-flush:
			save()
			flush = nil
			continue
		case e, ok := <-r.evs:
			if !ok {
				close(r.out)
				return
			}
			ev = e
		}
		switch {
		case ev.Final():
			c := r.reportClient(ev.Index)
			if o := ev.outcome; o != nil {
				c.Created, c.Proof, c.RequestIDs = o.created, o.proof, o.requestIDs
				if o.stored != nil {
					c.Stored = recordOf(*o.stored)
				}
			}
			prog.count(ev.State)
			c.State, c.Message, c.Error, c.Attempts = ev.State, ev.Message, ev.Error, ev.Attempt
			if r.undo && (ev.State == StateDeleted || (ev.State == StateSkipped && c.Action != ActionKeep)) {
				undone = append(undone, c.ID)
			}
			if r.opt.Verify && (ev.State == StateImported || ev.State == StateUpdated || ev.State == StateSkipped) {
				prog.Verify++
				pending[ev.Index] = &c
			} else {
				write(ev.Index, &c)
			}
		case ev.Kind == EventVerified:
			prog.Verified++
			if !ev.Check.Passed() {
				prog.CheckFailed++
			} else if checklist == nil {
				for _, l := range ev.Check.Checks {
					checklist = append(checklist, l.Name)
				}
			}
			if c := pending[ev.Index]; c != nil {
				delete(pending, ev.Index)
				c.Check = VerdictOf(ev.Check)
				c.RequestIDs = append(c.RequestIDs, ev.requestIDs...)
				write(ev.Index, c)
			}
		case ev.Kind == EventFinished:
			// Clients whose check the cancel cut short: done, not checked.
			for _, i := range slices.Sorted(maps.Keys(pending)) {
				write(i, pending[i])
			}
			clear(pending)
			now := time.Now()
			status := "finished"
			if ev.Summary.Canceled {
				status = "canceled"
			}
			st := r.pacer.Stats()
			if r.journal != nil {
				r.journal.add(endLine{T: "end", Status: status, Finished: now.UTC(), Progress: prog, Requests: st.Requests, Clients: r.journal.clients})
			}
			save()
			flush = nil
			if r.journal != nil {
				if err := r.journal.close(); err != nil && saveErr == nil {
					saveErr = err
				}
			}
			r.lock.Unlock()
			s := ev.Summary
			s.Progress = prog
			s.Elapsed = now.Sub(r.started)
			s.ElapsedMS = s.Elapsed.Milliseconds()
			s.Requests, s.RateLimited = st.Requests, st.RateLimited
			slices.SortFunc(problems, func(a, b indexed) int { return a.i - b.i })
			for _, p := range problems {
				s.Problems = append(s.Problems, p.c)
			}
			if r.lock != nil {
				s.StaleLock = r.lock.Stale
			}
			switch {
			case r.noReport != nil: // said in NotStarted; there is no file to point at
			case saveErr != nil:
				s.ReportPath, s.ReportError = r.opt.ReportPath, saveErr.Error()
			default:
				s.ReportPath = r.opt.ReportPath
			}
		}
		seq++
		ev.Seq, ev.Time, ev.Progress = seq, time.Now(), prog
		ev.outcome, ev.requestIDs = nil, nil
		r.out <- ev
		if dirty && flush == nil {
			flush = time.After(reportEvery - time.Since(lastSave))
		}
	}
}
