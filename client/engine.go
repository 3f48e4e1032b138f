package client

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
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
	// ReportPath, when set, is where the run report is written, during the run and at its
	// end. The report is built either way (Summary.Report).
	ReportPath string
	// Now is the clock the checklist compares token times with; time.Now when nil.
	Now func() time.Time

	retryBase time.Duration // first backoff; tests shorten it
}

// retryCalls is how often the engine makes an idempotent call whose HTTP layer gave up.
const retryCalls = 3

// maxRetryAfter caps how long the engine honours a Retry-After between two attempts.
const maxRetryAfter = time.Minute

// reportEvery is how often the report file is rewritten during a run.
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
	// noReport is why the run's report could not be written before it started; such a run
	// writes nothing to the target, since undo and reruns rely on the report.
	noReport error
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
	if opt.ReportPath != "" {
		if err := WriteReport(opt.ReportPath, newReport(r.kind(), p, r.opt, r.started)); err != nil {
			r.noReport = fmt.Errorf("the run report cannot be written, and undo and reruns need it: %w", err)
		}
	}
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
		sum = &Summary{NotStarted: r.noReport.Error()}
	}
	for _, i := range jobs[fed:] {
		if r.p.Items[i].Action != ActionSkip { // a skip already has its final state
			r.final(i, notStarted)
		}
	}
	wg.Wait()
	r.evs <- Event{Kind: EventFinished, Index: -1, Summary: sum}
	close(r.evs)
}

// outcome is how a client's write ended.
type outcome struct {
	state    State
	msg      string
	err      error
	stored   *Stored // what the target holds after this run wrote it
	created  bool
	attempts int
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
	call := r.callCtx(ctx, i)
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
		r.final(i, o)
		if o.state != StateImported && o.state != StateUpdated && o.state != StateSkipped {
			return
		}
	}
	if r.opt.Verify && ctx.Err() == nil {
		if cl, interrupted := r.verify(call, i); !interrupted {
			r.emit(Event{Kind: EventVerified, Index: i, Check: cl})
		}
	}
}

// transient reports whether err is worth another attempt: no answer, a 429 or a 5xx.
func transient(err error) bool {
	s := StatusOf(err)
	return errors.Is(err, ErrNoAnswer) || s == http.StatusTooManyRequests || s >= 500
}

// backoff waits before attempt (2 = the first retry) and reports the wait. A cancelled run
// ends the wait: its calls run on a context that is never cancelled, and the retry after the
// wait would be new work.
func (r *run) backoff(ctx context.Context, attempt int, cause error) {
	if r.cancelled() {
		return
	}
	d := r.opt.retryBase << min(attempt-2, 5)
	d = d/2 + rand.N(d/2+1) // jitter, so clients that failed together don't retry together
	var ae *APIError
	if errors.As(cause, &ae) && ae.RetryAfter > d {
		d = min(ae.RetryAfter, maxRetryAfter) // the API said how long; a broken header can't stall the run
	}
	w := Wait{Reason: WaitNetwork, Status: StatusOf(cause), Delay: d, Attempt: attempt}
	switch {
	case w.Status == http.StatusTooManyRequests:
		w.Reason = WaitRateLimited
	case w.Status >= 500:
		w.Reason = WaitServerError
	}
	ReportWait(ctx, w)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.stopped:
	}
}

// create imports the client, resolving ambiguous attempts: a create that got no answer may
// have been stored, so when a retry hears duplicate_m2m_client_id the stored client is read
// and counted as imported only if it is the record.
func (r *run) create(ctx context.Context, i int) outcome {
	c := &r.p.Items[i].Client
	var last error
	unsure := false // an earlier attempt may have been stored
	for attempt := 1; attempt <= r.opt.MaxAttempts; attempt++ {
		if attempt > 1 {
			if r.backoff(ctx, attempt, last); r.cancelled() {
				if unsure { // one read tells whether the last attempt was stored
					o := r.resolveExisting(ctx, c, true)
					if StatusOf(o.err) != http.StatusNotFound {
						o.attempts = attempt - 1
						return o
					}
				}
				return outcome{state: StateCanceled, attempts: attempt - 1,
					msg: fmt.Sprintf("cancelled before retrying (%v); run again to finish", last)}
			}
			r.emit(Event{Kind: EventRetried, Index: i, Attempt: attempt, Message: retryMessage(last)})
		}
		s, err := r.t.Create(ctx, c)
		if err == nil {
			return outcome{state: StateImported, stored: &s, created: true, attempts: attempt}
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
		last = err
	}
	if unsure {
		// An attempt may have been stored: the target has the last word.
		if o := r.resolveExisting(ctx, c, true); StatusOf(o.err) != http.StatusNotFound {
			o.attempts = r.opt.MaxAttempts
			return o
		}
	}
	return outcome{state: StateFailed, attempts: r.opt.MaxAttempts,
		err: fmt.Errorf("create client %s: gave up after %d attempts: %w", c.ID, r.opt.MaxAttempts, last)}
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
		return outcome{state: StateImported, stored: &s, created: true, msg: "imported (an earlier attempt got no answer; the stored client matches)"}
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
	for attempt := 1; attempt <= retryCalls; attempt++ {
		if attempt > 1 {
			if r.backoff(ctx, attempt, err); r.cancelled() {
				break
			}
		}
		if v, err = call(); err == nil || !transient(err) {
			break
		}
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

// collect owns the progress counts and the report: it numbers events, counts them, keeps
// the report current and passes them on. The file is rewritten at most every reportEvery,
// and at most reportEvery after a change, also when the run then goes quiet (every worker
// waiting on a slow answer or a long Retry-After): a crash loses at most that much of it.
func (r *run) kind() string {
	if r.undo {
		return "undo"
	}
	return "import"
}

func (r *run) collect() {
	rep := newReport(r.kind(), r.p, r.opt, r.started)
	var prog Progress
	prog.Total = len(r.p.Items)
	var saveErr error
	lastSave := time.Time{}
	dirty := false
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
			saveErr = fmt.Errorf("mark the undone clients in %s: %w", r.p.Undoes, err)
		} else if err == nil {
			undone = undone[:0]
		}
	}
	save := func() {
		markUndone()
		if r.opt.ReportPath == "" {
			return
		}
		rep.Progress = prog
		rep.Requests = r.pacer.Stats().Requests
		if err := WriteReport(r.opt.ReportPath, rep); err != nil && saveErr == nil {
			saveErr = err
		}
		lastSave, dirty = time.Now(), false
	}
	save()
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
		rc := &ReportClient{}
		if ev.Index >= 0 {
			rc = &rep.Clients[ev.Index]
		}
		switch {
		case ev.Final():
			if o := ev.outcome; o != nil {
				rc.Created = o.created
				if o.stored != nil {
					rc.Stored = recordOf(*o.stored)
				}
			}
			prog.count(ev.State)
			rc.State, rc.Message, rc.Error, rc.Attempts = ev.State, ev.Message, ev.Error, ev.Attempt
			if r.undo && (ev.State == StateDeleted || ev.State == StateSkipped) {
				undone = append(undone, rc.ID)
			}
			if r.opt.Verify && (ev.State == StateImported || ev.State == StateUpdated || ev.State == StateSkipped) {
				prog.Verify++
			}
			dirty = true
		case ev.Kind == EventVerified:
			prog.Verified++
			if !ev.Check.Passed() {
				prog.CheckFailed++
			}
			rc.Check = &Checklist{Checks: ev.Check.Checks} // the report keeps the verdict, not the claims
			dirty = true
		case ev.Kind == EventFinished:
			now := time.Now()
			rep.Finished = &now
			rep.Status = "finished"
			if ev.Summary.Canceled {
				rep.Status = "canceled"
			}
			save()
			flush = nil
			s := ev.Summary
			s.Progress = prog
			s.Elapsed = now.Sub(r.started)
			s.ElapsedMS = s.Elapsed.Milliseconds()
			st := r.pacer.Stats()
			s.Requests, s.RateLimited = st.Requests, st.RateLimited
			s.Report = rep
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
		r.out <- ev
		if dirty && flush == nil {
			flush = time.After(reportEvery - time.Since(lastSave))
		}
	}
}
