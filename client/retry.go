package client

import (
	"context"
	"iter"
	"math/rand/v2"
	"net/http"
	"time"
)

// Retry is m2mport's one retry loop: how many tries, how long between them, and when to stop
// waiting. The HTTP layer (client/internal/httpx) retries idempotent requests with it, and
// the import engine its creates and what the HTTP layer gave up on, so both back off, honour
// the API's Retry-After, name their waits and stop on a cancel the same way.
//
//	tries := Retry{Attempts: 5, Base: time.Second}.Start(ctx)
//	for attempt := range tries.All() {
//		err := call()
//		if err == nil || !worthAnotherTry(err) {
//			return err
//		}
//		tries.Again(err, StatusOf(err), -1)
//	}
//	return tries.Err // tries.End says why the loop ended
//
// Between two tries the loop waits for what the API asked for (Retry-After, a rate limit's
// reset), else an exponential backoff with jitter; it reports every wait (ReportWait and
// OnWait), and ends without waiting once ctx's stop channel (WithStop) is closed.
type Retry struct {
	// Attempts counts every try, the first included (at least 1).
	Attempts int
	// Base is the first backoff; it doubles with each retry up to Max (Base when Max is 0).
	// Each backoff is half fixed and half random ("equal jitter"), so that retries neither
	// synchronise nor collapse to zero.
	Base, Max time.Duration
	// MaxWait caps the total waiting of the loop, Tries.Waited included; a wait that would
	// pass it is not taken (End is RetryTooLong). 0: no cap.
	MaxWait time.Duration
	// MaxAfter caps a wait the API asked for, so that a broken header can't stall a run.
	// 0: no cap.
	MaxAfter time.Duration
	// Sleep waits; Sleep (the function) when nil. Tests pass a manual clock's.
	Sleep func(ctx context.Context, d time.Duration) error
	// Method and Path name the request in the waits reported; OnWait, if set, is told every
	// wait besides the context's reporter. It must not block.
	Method, Path string
	OnWait       func(Wait)
}

// RetryEnd says why a retry loop ended.
type RetryEnd int

const (
	// RetryDone: the last try did not ask for another (it succeeded, or failed for good),
	// or the loop's body left it.
	RetryDone RetryEnd = iota
	// RetryExhausted: the last try asked for another, and it was the last allowed.
	RetryExhausted
	// RetryTooLong: the next wait would have passed MaxWait.
	RetryTooLong
	// RetryStopped: ctx's stop channel closed, before or during a wait.
	RetryStopped
	// RetryInterrupted: ctx ended during a wait (Tries.WaitErr says how).
	RetryInterrupted
)

// Tries is one run of a retry loop; Retry.Start makes it.
type Tries struct {
	p   Retry
	ctx context.Context
	// N is the try under way, or the last one made once the loop has ended: 1 for the first.
	N int
	// Waited is the time waited so far. A body that waits itself before a try (for a rate
	// limit to refill) adds its waits here, and they count against MaxWait.
	Waited time.Duration
	// Err is the error of the last try that asked for another (Again).
	Err error
	// End says why the loop ended; WaitErr is the context's error when a wait was cut short
	// by it (RetryInterrupted).
	End     RetryEnd
	WaitErr error

	again  bool
	status int
	after  time.Duration
}

// Start begins a retry loop on ctx: its stop channel ends the loop, its wait reporter hears
// every wait.
func (p Retry) Start(ctx context.Context) *Tries {
	if p.Attempts < 1 {
		p.Attempts = 1
	}
	if p.Max < p.Base {
		p.Max = p.Base
	}
	if p.Sleep == nil {
		p.Sleep = Sleep
	}
	return &Tries{p: p, ctx: ctx}
}

// Again says that the try under way failed with err in a way another try may mend: status
// is the answer's HTTP status (0 when there was none), after how long the API asked to wait
// (Retry-After, or until its rate limit resets), or <0 when it did not say. Without Again, a
// try that ends the loop body ends the loop.
func (t *Tries) Again(err error, status int, after time.Duration) {
	t.again, t.Err, t.status, t.after = true, err, status, after
}

// All yields the number of each try, 1 first, waiting before each after the first.
func (t *Tries) All() iter.Seq[int] {
	return func(yield func(int) bool) {
		for t.N = 1; ; t.N++ {
			t.again = false
			if !yield(t.N) || !t.again {
				t.End = RetryDone
				return
			}
			if t.End = t.wait(); t.End != RetryDone {
				return
			}
		}
	}
}

// wait waits before the next try, or says why there is none.
func (t *Tries) wait() RetryEnd {
	switch {
	case t.N >= t.p.Attempts:
		return RetryExhausted
	case Stopped(t.ctx):
		return RetryStopped
	}
	d := t.delay()
	if t.p.MaxWait > 0 && t.Waited+d > t.p.MaxWait {
		return RetryTooLong
	}
	w := Wait{Reason: waitReason(t.status), Status: t.status, Delay: d, Attempt: t.N + 1, Method: t.p.Method, Path: t.p.Path}
	if t.p.OnWait != nil {
		t.p.OnWait(w)
	}
	ReportWait(t.ctx, w)
	ctx, stopWaiting := UntilStopped(t.ctx)
	err := t.p.Sleep(ctx, d)
	stopWaiting()
	switch {
	case Stopped(t.ctx):
		return RetryStopped // the last answer stands: no retry after a stop
	case err != nil:
		t.WaitErr = err
		return RetryInterrupted
	}
	t.Waited += d
	return RetryDone
}

// delay is how long to wait before the next try: what the API asked for, else the backoff.
func (t *Tries) delay() time.Duration {
	if after := t.after; after >= 0 {
		if t.p.MaxAfter > 0 {
			after = min(after, t.p.MaxAfter)
		}
		// Several callers told the same reset time would all wake at once: spread them.
		return after + jitter(min(after/10, 250*time.Millisecond)+20*time.Millisecond)
	}
	d := t.p.Base
	for i := 1; i < t.N && d < t.p.Max; i++ {
		d *= 2
	}
	d = min(d, t.p.Max)
	return d/2 + jitter(d/2)
}

// waitReason is why a retry waits, by the status of the answer that made it: the one
// mapping from status to wait.
func waitReason(status int) WaitReason {
	switch {
	case status == http.StatusTooManyRequests:
		return WaitRateLimited
	case status >= 500 || status == http.StatusRequestTimeout:
		return WaitServerError
	}
	return WaitNetwork
}

func jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max + 1)
}

// Abandon runs f in a goroutine of its own and returns what f returns, unless ctx ends
// first: then it returns context.Cause(ctx) and leaves f to finish on its own. It is for
// calls that can't be cancelled (a keyring over D-Bus, a read from a terminal), so that
// the caller need not wait for them.
func Abandon[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// Sleep waits for d, or until ctx is done: then it returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
